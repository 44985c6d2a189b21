import { afterEach, describe, expect, it } from "vitest";
import type { HttpServer } from "../src/http/http-server.ts";
import { buildServer } from "../src/server.ts";
import { testApp } from "./support/test-app.ts";

const TOKEN = "admin-token-for-tests-0123456789";
let app: Awaited<ReturnType<typeof testApp>>;
let http: HttpServer;
let base = "";

afterEach(async () => {
  await http.close();
  await app.close();
});

async function boot(env: Record<string, string> = { ADMIN_TOKEN: TOKEN }): Promise<void> {
  app = await testApp({ env });
  http = buildServer(app);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

async function call(method: string, path: string, body?: object, token: string | null = TOKEN) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function pledge(user: string, amount: string): Promise<string> {
  let n = 0;
  const send = async (m: object) =>
    (
      await app.turns.process({
        channel: "webchat",
        messageId: `${user}-${++n}`,
        conversationId: user,
        userId: user,
        ...m,
      })
    ).replies
      .map((r) => r.text)
      .join();
  await send({ payload: "flow:pledge" });
  await send({ text: amount });
  await send({ payload: "v:cash" });
  await send({ payload: "v:no" });
  return /VNN-[0-9A-Z]{6}/.exec(await send({ payload: "v:confirm" }))![0];
}

/** A pledge by transfer whose donor consents and gives name, phone and organisation. */
async function pledgeWithContact(user: string, amount: string, organisation: string): Promise<string> {
  let n = 0;
  const send = async (m: object) =>
    (
      await app.turns.process({
        channel: "webchat",
        messageId: `${user}-${++n}`,
        conversationId: user,
        userId: user,
        ...m,
      })
    ).replies
      .map((r) => r.text)
      .join();
  for (const m of [
    { payload: "flow:pledge" },
    { text: amount },
    { payload: "v:transfer" },
    { payload: "v:yes" },
    { text: "Lê Thị Hoa" },
    { text: "0912 345 678" },
    { text: organisation },
    { payload: "v:skip" },
  ])
    await send(m);
  return /VNN-[0-9A-Z]{6}/.exec(await send({ payload: "v:confirm" }))![0];
}

describe("admin API", () => {
  it("takes no Bearer token without ADMIN_TOKEN: only a console login opens it", async () => {
    await boot({});
    const refused = await call("GET", "/admin/api/stats");
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ error: "Mã quản trị (Bearer) không đúng.", code: "bad_token" });
  });

  it("refuses a missing or wrong token", async () => {
    await boot();
    expect((await call("GET", "/admin/api/stats", undefined, null)).status).toBe(401);
    expect((await call("GET", "/admin/api/stats", undefined, "wrong-token-0123456789")).status).toBe(401);
  });

  it("gives totals, changes a pledge's status, lists staff requests, and audits each", async () => {
    await boot();
    const ref = await pledge("w1", "300k");
    await pledge("w2", "200k");
    expect((await call("GET", "/admin/api/stats")).json).toMatchObject({
      count: 2,
      amount: 500_000,
      byMethod: { cash: { count: 2, amount: 500_000 } },
    });
    expect((await call("GET", "/admin/api/stats?since=2030-01-01")).json).toMatchObject({ count: 0 });
    expect((await call("GET", "/admin/api/stats?since=yesterday")).status).toBe(400);

    expect(
      await call("POST", "/admin/api/pledges/status", { reference: ref.toLowerCase(), status: "cancelled" }),
    ).toEqual({ status: 200, json: { reference: ref, status: "cancelled", amount: 300_000 } });
    expect((await call("GET", "/admin/api/stats")).json).toMatchObject({ count: 1, amount: 200_000 });
    expect(
      (await call("POST", "/admin/api/pledges/status", { reference: "VNN-ZZZZZZ", status: "paid" })).status,
    ).toBe(404);
    expect(
      (await call("POST", "/admin/api/pledges/status", { reference: ref, status: "refunded" })).json.error,
    ).toMatch(/status/);

    await app.turns.process({
      channel: "webchat",
      messageId: "h1",
      conversationId: "w3",
      userId: "w3",
      payload: "flow:handoff",
    });
    await app.turns.process({
      channel: "webchat",
      messageId: "h2",
      conversationId: "w3",
      userId: "w3",
      text: "Có biên lai không?",
    });
    expect((await call("GET", "/admin/api/handoffs")).json.handoffs).toEqual([
      expect.objectContaining({
        channel: "webchat",
        conversationId: "w3",
        lang: "vi",
        question: "Có biên lai không?",
      }),
    ]);

    const audit = (await call("GET", "/admin/api/audit?limit=10")).json.entries.map((e: any) =>
      `${e.actor} ${e.action} ${e.target ?? ""}`.trim(),
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        "admin-api stats.view",
        "admin-api handoffs.view",
        `admin-api pledge.set_status ${ref}`,
      ]),
    );
  });

  it("lists pledges to follow up, newest first, with a consenting donor's contact, page by page or as CSV, and audits each read", async () => {
    await boot();
    const minuteLater = () => (app.clock.now = new Date(app.clock.now.getTime() + 60_000));
    const cash = await pledge("l1", "300k");
    minuteLater();
    const contact = await pledgeWithContact("l2", "1 triệu", '=HYPERLINK("http://x")');
    minuteLater();
    const third = await pledge("l3", "200k");
    await call("POST", "/admin/api/pledges/status", { reference: cash, status: "paid" });

    const first = await call("GET", "/admin/api/pledges?limit=2");
    expect(first.status).toBe(200);
    expect(first.json.pledges.map((p: any) => p.reference)).toEqual([third, contact]);
    expect(first.json.pledges[1]).toEqual({
      reference: contact,
      createdAt: expect.any(String),
      amount: 1_000_000,
      method: "transfer",
      status: "pledged",
      channel: "webchat",
      organisation: '=HYPERLINK("http://x")',
      name: "Lê Thị Hoa",
      phone: "+84912345678",
      reminders: 0,
    });
    expect(first.json.pledges[0]).not.toHaveProperty("name"); // no consent, no personal data
    const second = await call("GET", `/admin/api/pledges?limit=2&before=${first.json.next}`);
    expect(second.json).toEqual({ pledges: [expect.objectContaining({ reference: cash, status: "paid" })] });

    expect(
      (await call("GET", "/admin/api/pledges?status=pledged&method=transfer,cash")).json.pledges.map(
        (p: any) => p.reference,
      ),
    ).toEqual([third, contact]);
    expect((await call("GET", "/admin/api/pledges?since=2030-01-01")).json.pledges).toEqual([]);
    // A donor calls: found by the phone they give, however they write it.
    expect(
      (await call("GET", `/admin/api/pledges?phone=${encodeURIComponent("0912 345 678")}`)).json.pledges.map(
        (p: any) => p.reference,
      ),
    ).toEqual([contact]);
    expect(
      (await call("GET", "/admin/api/pledges?phone=%2B84912345678")).json.pledges.map(
        (p: any) => p.reference,
      ),
    ).toEqual([contact]);
    expect((await call("GET", "/admin/api/pledges?phone=12345")).json.error).toMatch(
      /^phone: not a Vietnamese phone number/,
    );
    expect((await call("GET", "/admin/api/pledges?status=unpaid")).json.error).toMatch(/^status/);
    expect((await call("GET", "/admin/api/pledges?before=bm90LWEtY3Vyc29y")).json.code).toBe("bad_cursor");
    expect((await call("GET", "/admin/api/pledges?limit=5000")).status).toBe(400);

    const res = await fetch(`${base}/admin/api/pledges?format=csv&status=pledged`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="pledges-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(
      csv.startsWith(
        "\uFEFFreference,createdAt,amount,method,status,channel,organisation,ward,name,phone,reminders\r\n",
      ),
    ).toBe(true);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(3);
    // A formula typed into the bot stays text in a spreadsheet; phones as dialled in Vietnam; times in Vietnam.
    expect(lines[2]).toMatch(
      new RegExp(
        `^${contact},\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2},1000000,transfer,pledged,webchat,"'=HYPERLINK\\(""http://x""\\)",,Lê Thị Hoa,0912345678,0$`,
      ),
    );

    const audit = (await call("GET", "/admin/api/audit?limit=20")).json.entries.filter(
      (e: any) => e.action === "pledges.view",
    );
    expect(audit).toHaveLength(7); // refused queries read nothing
    expect(audit.map((e: any) => e.details)).toContainEqual({ phone: "…678", format: "json", count: 1 }); // not the number
    expect(audit.map((e: any) => e.details)).toContainEqual({ format: "csv", status: ["pledged"], count: 2 });
  });
});
