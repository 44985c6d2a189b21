import { describe, expect, it } from "vitest";
import type { NewPledge, Pledge } from "../../src/records/pledge.ts";
import { newestFirst, type PledgeFilter } from "../../src/records/pledge-list.ts";
import type { Records } from "../../src/records/ports.ts";

const pledge = (over: Partial<NewPledge> = {}): NewPledge => ({
  idempotencyKey: `k-${Math.random()}`,
  amount: 500_000,
  method: "cash",
  channel: "test",
  conversationId: "c1",
  userKey: "test:u1",
  name: "Nguyễn Văn An",
  phone: "+84912345678",
  ward: "Tân An",
  ...over,
});

/** What every set of record repositories must do. `reopen` builds a new instance on the same data. */
export function recordsContract(
  name: string,
  make: () => Promise<{ records: Records; reopen?: () => Promise<Records> }>,
): void {
  describe(`Records contract: ${name}`, () => {
    it("creates a pledge once per idempotency key, with a unique reference", async () => {
      const { records } = await make();
      const a = await records.pledges.create(pledge({ idempotencyKey: "same" }));
      const b = await records.pledges.create(pledge({ idempotencyKey: "same", amount: 999_000 }));
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.pledge.reference).toBe(a.pledge.reference);
      expect(b.pledge.amount).toBe(500_000);
      // Two processes saving the same confirming turn at once: one pledge.
      const raced = await Promise.all([
        records.pledges.create(pledge({ idempotencyKey: "raced" })),
        records.pledges.create(pledge({ idempotencyKey: "raced" })),
      ]);
      expect(raced.filter((r) => r.created)).toHaveLength(1);
      expect(raced[0].pledge.reference).toBe(raced[1].pledge.reference);
      const many = await Promise.all(Array.from({ length: 20 }, () => records.pledges.create(pledge())));
      expect(new Set([a, ...many].map((p) => p.pledge.reference)).size).toBe(21);
      expect(a.pledge.reference).toMatch(/^VNN-[0-9A-HJKMNP-TV-Z]{6}$/);
    });

    it("refuses a pledge with a nonsense amount or method, and keeps nothing of it", async () => {
      const { records } = await make();
      await expect(records.pledges.create(pledge({ userKey: "test:bad", amount: 1.5 }))).rejects.toThrow(
        /amount must be a whole number/,
      );
      await expect(records.pledges.create(pledge({ userKey: "test:bad", amount: 0 }))).rejects.toThrow(
        /amount/,
      );
      await expect(
        records.pledges.create(pledge({ userKey: "test:bad", method: "barter" as never })),
      ).rejects.toThrow(/unknown method "barter"/);
      await expect(records.pledges.create(pledge({ userKey: "" }))).rejects.toThrow(/userKey is missing/);
      expect(await records.pledges.listByUser("test:bad")).toEqual([]);
    });

    it("lists a user's pledges, finds by reference, changes status", async () => {
      const { records } = await make();
      const { pledge: p } = await records.pledges.create(pledge({ userKey: "test:list" }));
      await records.pledges.create(pledge({ userKey: "test:other" }));
      expect((await records.pledges.listByUser("test:list")).map((x) => x.reference)).toEqual([p.reference]);
      expect((await records.pledges.findByReference(p.reference.toLowerCase()))?.id).toBe(p.id);
      expect((await records.pledges.setStatus(p.reference, "paid"))?.status).toBe("paid");
      expect(await records.pledges.setStatus("VNN-NOPE00", "paid")).toBeNull();
    });

    it("lists pledges for staff, newest first, by status, method, organisation and date, page by page", async () => {
      const { records } = await make();
      const organisation = `Org L ${Math.random()}`;
      const made: Pledge[] = [];
      for (let i = 0; i < 7; i++)
        made.push(
          (
            await records.pledges.create(
              pledge({ organisation, method: i % 2 ? "cash" : "transfer", amount: 100_000 + i }),
            )
          ).pledge,
        );
      await records.pledges.create(pledge({ organisation: "Another org" }));
      await records.pledges.setStatus(made[0]!.reference, "paid");
      const everything = async (filter: PledgeFilter, limit: number) => {
        const out: Pledge[] = [];
        for (let page = await records.pledges.list(filter, { limit }); page.length > 0;) {
          out.push(...page);
          const last = page[page.length - 1]!;
          page = await records.pledges.list(filter, {
            limit,
            before: { createdAt: last.createdAt, id: last.id },
          });
        }
        return out;
      };
      const listed = await everything({ organisation }, 3);
      expect(listed.map((p) => p.reference)).toEqual([...made].sort(newestFirst).map((p) => p.reference));
      expect(listed.map((p) => p.createdAt)).toEqual(made.map((p) => p.createdAt).reverse());
      expect(listed.find((p) => p.reference === made[1]!.reference)).toMatchObject({
        name: "Nguyễn Văn An",
        phone: "+84912345678",
        amount: 100_001,
        status: "pledged",
      });
      expect((await everything({ organisation, statuses: ["paid"] }, 3)).map((p) => p.reference)).toEqual([
        made[0]!.reference,
      ]);
      expect((await everything({ organisation, methods: ["cash"] }, 2)).map((p) => p.amount).sort()).toEqual([
        100_001, 100_003, 100_005,
      ]);
      expect(
        (await everything({ organisation, statuses: ["pledged"], methods: ["transfer"] }, 10))
          .map((p) => p.amount)
          .sort(),
      ).toEqual([100_002, 100_004, 100_006]);
      expect(
        await records.pledges.list({ organisation, since: new Date(Date.now() + 86_400_000) }, { limit: 10 }),
      ).toEqual([]);
      expect(await everything({ organisation, phone: "+84912345678" }, 3)).toHaveLength(7);
      expect(await records.pledges.list({ organisation, phone: "+84987654321" }, { limit: 10 })).toEqual([]);
      expect(
        await records.pledges.list(
          { organisation, until: new Date(Date.parse(made[0]!.createdAt)) },
          { limit: 10 },
        ),
      ).toEqual([]);
    });

    it("erases personal data but keeps the amount", async () => {
      const { records } = await make();
      await records.pledges.create(pledge({ userKey: "test:erase" }));
      expect(await records.pledges.erasePersonalData("test:erase")).toBe(1);
      const [p] = await records.pledges.listByUser("test:erase");
      expect(p).toMatchObject({ amount: 500_000 });
      expect(p?.name).toBeUndefined();
      expect(p?.phone).toBeUndefined();
      expect(p?.ward).toBeUndefined();
      expect(await records.pledges.erasePersonalData("test:erase")).toBe(0);
    });

    it("keeps subscribers' opt-in with its date, blocked flag, and forgets them", async () => {
      const { records } = await make();
      const at = new Date("2019-10-20T02:00:00Z");
      expect(await records.subscribers.setOptIn("test", "s1", true, "vi", at)).toMatchObject({
        optedIn: true,
        optedAt: at.toISOString(),
        blocked: false,
      });
      await records.subscribers.setOptIn("test", "s1", false, "en", at);
      await records.subscribers.setBlocked("test", "s1", true);
      expect(await records.subscribers.get("test", "s1")).toMatchObject({
        optedIn: false,
        lang: "en",
        blocked: true,
      });
      await records.subscribers.setLanguage("test", "s1", "vi");
      expect((await records.subscribers.get("test", "s1"))?.lang).toBe("vi");
      await records.subscribers.setLanguage("test", "nobody", "en");
      expect(await records.subscribers.get("test", "nobody")).toBeNull();
      expect(await records.subscribers.forget("test", "s1")).toBe(true);
      expect(await records.subscribers.get("test", "s1")).toBeNull();
      expect(await records.subscribers.forget("test", "s1")).toBe(false);
    });

    it("selects a broadcast audience: opted in, not blocked, reachable, by channel, language and organisation, page by page", async () => {
      const { records } = await make();
      const at = new Date("2019-10-21T03:00:00Z");
      const subs = records.subscribers;
      for (let i = 0; i < 7; i++) await subs.setOptIn("telegram", `a${i}`, true, i % 2 ? "en" : "vi", at);
      await subs.setOptIn("zalo-oa", "z1", true, "vi", at);
      await subs.setOptIn("telegram", "out", false, "vi", at);
      await subs.setOptIn("telegram", "blocked", true, "vi", at);
      await subs.setBlocked("telegram", "blocked", true);
      await subs.setOptIn("zalo-oa", "away", true, "vi", at);
      await subs.setUnreachable("zalo-oa", "away", "outside_window", at);
      const everyone: string[] = [];
      for (let after: string | undefined; ;) {
        const page = await subs.audience({}, { after, limit: 3 });
        everyone.push(...page.map((s) => `${s.channel}:${s.userId}`));
        if (page.length < 3) break;
        after = everyone[everyone.length - 1];
      }
      expect(everyone).toEqual([
        "telegram:a0",
        "telegram:a1",
        "telegram:a2",
        "telegram:a3",
        "telegram:a4",
        "telegram:a5",
        "telegram:a6",
        "zalo-oa:z1",
      ]);
      expect(
        (await subs.audience({ channels: ["telegram"], langs: ["en"] }, { limit: 10 })).map((s) => s.userId),
      ).toEqual(["a1", "a3", "a5"]);
      expect(await subs.audience({ organisations: ["ldld-ct"] }, { limit: 10 })).toEqual([]);
      await subs.setOptIn("telegram", "a2", true, "vi", at, "ldld-ct");
      await subs.setOptIn("telegram", "a2", true, "vi", at); // a later opt-in without one keeps it
      expect(
        (await subs.audience({ organisations: ["ldld-ct"] }, { limit: 10 })).map((s) => s.userId),
      ).toEqual(["a2"]);
    });

    it("marks a subscriber unreachable with a reason and clears it", async () => {
      const { records } = await make();
      const at = new Date("2019-10-21T03:00:00Z");
      await records.subscribers.setUnreachable("test", "nobody", "outside_window", at); // unknown: no record made
      expect(await records.subscribers.get("test", "nobody")).toBeNull();
      await records.subscribers.setOptIn("test", "u9", true, "vi", at);
      await records.subscribers.setUnreachable("test", "u9", "outside_window", at);
      expect(await records.subscribers.get("test", "u9")).toMatchObject({
        unreachable: "outside_window",
        unreachableAt: at.toISOString(),
        optedIn: true,
      });
      await records.subscribers.setUnreachable("test", "u9", null, at);
      const cleared = await records.subscribers.get("test", "u9");
      expect(cleared?.unreachable).toBeUndefined();
      expect(cleared?.unreachableAt).toBeUndefined();
    });

    it("records consent with wording version and withdraws it with a date", async () => {
      const { records } = await make();
      await records.consents.record({
        userKey: "test:c",
        purpose: "pledge_contact",
        wordingKey: "consent.x",
        wordingVersion: "1",
        lang: "vi",
        grantedAt: "2019-10-20T00:00:00.000Z",
      });
      expect(await records.consents.withdrawAll("test:c", new Date("2019-10-21T00:00:00Z"))).toBe(1);
      expect(await records.consents.listByUser("test:c")).toEqual([
        expect.objectContaining({ wordingVersion: "1", withdrawnAt: "2019-10-21T00:00:00.000Z" }),
      ]);
      expect(await records.consents.withdrawAll("test:c", new Date())).toBe(0);
    });

    it("totals pledges by method, organisation and ward, without cancelled ones, within a date range", async () => {
      const { records } = await make();
      const before = await records.pledges.totals();
      await records.pledges.create(
        pledge({ amount: 100_000, method: "cash", organisation: "Org T", ward: "Phường T" }),
      );
      await records.pledges.create(pledge({ amount: 300_000, method: "cash", organisation: "Org T" }));
      await records.pledges.create(pledge({ amount: 50_000, method: "sms", organisation: undefined }));
      const { pledge: cancelled } = await records.pledges.create(
        pledge({ amount: 9_000_000, method: "transfer", organisation: "Org T" }),
      );
      await records.pledges.setStatus(cancelled.reference, "cancelled");
      const after = await records.pledges.totals();
      expect(after.count - before.count).toBe(3);
      expect(after.amount - before.amount).toBe(450_000);
      expect((after.byMethod.cash?.amount ?? 0) - (before.byMethod.cash?.amount ?? 0)).toBe(400_000);
      expect((after.byMethod.cash?.count ?? 0) - (before.byMethod.cash?.count ?? 0)).toBe(2);
      expect(after.byOrganisation.find((o) => o.organisation === "Org T")).toEqual({
        organisation: "Org T",
        count: 2,
        amount: 400_000,
      });
      expect(after.byWard.find((w) => w.ward === "Phường T")).toEqual({
        ward: "Phường T",
        count: 1,
        amount: 100_000,
      });
      expect((await records.pledges.list({ ward: "Phường T" }, { limit: 10 })).map((p) => p.amount)).toEqual([
        100_000,
      ]);
      const future = await records.pledges.totals({ since: new Date(Date.now() + 86_400_000) });
      expect(future).toEqual({ count: 0, amount: 0, byMethod: {}, byOrganisation: [], byWard: [] });
    });

    it("finds unpaid pledges due a reminder and lets one caller take each reminder", async () => {
      const { records } = await make();
      const user = `test:remind-${Math.random()}`;
      const { pledge: a } = await records.pledges.create(pledge({ userKey: user }));
      const { pledge: paid } = await records.pledges.create(pledge({ userKey: user }));
      await records.pledges.setStatus(paid.reference, "paid");
      const later = new Date(Date.now() + 3 * 86_400_000);
      const mine = async (since: Date, max = 2) =>
        (await records.pledges.dueForReminder(since, max, 10_000))
          .filter((p) => p.userKey === user)
          .map((p) => p.reference);
      expect(await mine(new Date(Date.now() - 86_400_000))).toEqual([]); // not due yet
      expect(await mine(later)).toEqual([a.reference]); // the paid one never is
      // Two sweeps race for the first reminder: one wins.
      const claims = await Promise.all([
        records.pledges.claimReminder(a.reference, 0, later),
        records.pledges.claimReminder(a.reference, 0, later),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await records.pledges.findByReference(a.reference)).toMatchObject({
        reminders: 1,
        lastRemindedAt: later.toISOString(),
      });
      expect(await mine(later)).toEqual([a.reference]); // due again only a full delay after the last one
      expect(await mine(new Date(later.getTime() - 1))).toEqual([]);
      expect(await records.pledges.claimReminder(a.reference, 1, later)).toBe(true);
      expect(await mine(new Date(later.getTime() + 9e9))).toEqual([]); // the maximum (2) is reached
      const { pledge: b } = await records.pledges.create(pledge({ userKey: user }));
      await records.pledges.setStatus(b.reference, "cancelled");
      expect(await records.pledges.claimReminder(b.reference, 0, later)).toBe(false); // cancelled: no reminder
    });

    it("tells which users have unpaid, paid or no pledges", async () => {
      const { records } = await make();
      const [u1, u2, u3] = [1, 2, 3].map((n) => `test:status-${n}-${Math.random()}`) as [
        string,
        string,
        string,
      ];
      await records.pledges.create(pledge({ userKey: u1 }));
      const { pledge: p } = await records.pledges.create(pledge({ userKey: u2 }));
      await records.pledges.setStatus(p.reference, "paid");
      await records.pledges.create(pledge({ userKey: u2 }));
      const statuses = await records.pledges.statusesByUser([u1, u2, u3]);
      expect([...(statuses.get(u1) ?? [])]).toEqual(["pledged"]);
      expect([...(statuses.get(u2) ?? [])].sort()).toEqual(["paid", "pledged"]);
      expect(statuses.has(u3)).toBe(false);
    });

    it("stores broadcasts and changes them only from the expected status", async () => {
      const { records } = await make();
      const id = `bc-${Math.random().toString(36).slice(2)}`;
      const at = "2019-10-20T01:00:00.000Z";
      await records.broadcasts.create({
        id,
        title: "Tháng cao điểm",
        message: { text: { vi: "Xin chào" } },
        buttons: [],
        links: [],
        audience: { channels: ["telegram"] },
        status: "draft",
        createdBy: "admin-api",
        createdAt: at,
        updatedAt: at,
      });
      expect(await records.broadcasts.get(id)).toMatchObject({
        id,
        status: "draft",
        message: { text: { vi: "Xin chào" } },
        audience: { channels: ["telegram"] },
      });
      expect(await records.broadcasts.update(id, { status: "running" }, ["paused"])).toBeNull();
      expect(
        await records.broadcasts.update(id, { status: "scheduled", startAt: at }, ["draft"]),
      ).toMatchObject({ status: "scheduled", startAt: at });
      expect((await records.broadcasts.get(id))?.status).toBe("scheduled");
      expect((await records.broadcasts.list(100)).some((b) => b.id === id)).toBe(true);
      expect(await records.broadcasts.get("nope")).toBeNull();
    });

    it("keeps requests to talk to staff open until staff answer them", async () => {
      const { records } = await make();
      const userKey = `test:handoff-${Math.random()}`;
      const h = await records.handoffs.request({
        channel: "test",
        conversationId: "c9",
        userKey,
        lang: "vi",
        requestedAt: "2019-10-20T02:00:00.000Z",
        question: "Có biên lai để khấu trừ thuế không?",
      });
      expect((await records.handoffs.open()).find((x) => x.id === h.id)?.question).toBe(
        "Có biên lai để khấu trừ thuế không?",
      );
      expect(await records.handoffs.get(h.id)).toMatchObject({
        channel: "test",
        conversationId: "c9",
        userKey,
      });
      await records.handoffs.markAnswered(h.id, new Date("2019-10-20T03:00:00Z"));
      expect((await records.handoffs.open()).some((x) => x.id === h.id)).toBe(false);
      expect((await records.handoffs.get(h.id))?.answeredAt).toBe("2019-10-20T03:00:00.000Z");
      expect(await records.handoffs.get("nope")).toBeNull();
    });

    it("keeps an audit log of staff actions, newest first", async () => {
      const { records } = await make();
      await records.audit.record({
        actor: "telegram:1",
        action: "pledge.mark_paid",
        target: "VNN-AAAAAA",
        at: "2019-10-20T01:00:00.000Z",
      });
      await records.audit.record({
        actor: "admin-api",
        action: "broadcast.create",
        details: { audience: "all" },
        at: "2019-10-20T02:00:00.000Z",
      });
      const entries = await records.audit.list(2);
      expect(entries.map((e) => e.action)).toEqual(["broadcast.create", "pledge.mark_paid"]);
      expect(entries[0]).toMatchObject({ actor: "admin-api", details: { audience: "all" } });
    });

    it("keeps what it stored across a reopen", async () => {
      const { records, reopen } = await make();
      if (!reopen) return; // a memory-only implementation has nothing to reopen
      const { pledge: p } = await records.pledges.create(pledge({ userKey: "test:durable" }));
      await records.subscribers.setOptIn("test", "durable", true, "vi", new Date());
      const again = await reopen();
      expect((await again.pledges.listByUser("test:durable")).map((x) => x.reference)).toEqual([p.reference]);
      expect((await again.subscribers.get("test", "durable"))?.optedIn).toBe(true);
    });
  });
}
