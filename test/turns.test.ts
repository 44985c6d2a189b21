import { describe, expect, it } from "vitest";
import { testApp } from "./support/test-app.ts";

describe("turn processing", () => {
  it("a confirm sent again after the session write was lost returns the same pledge, not a second one", async () => {
    const app = await testApp();
    let n = 0;
    const send = async (m: { text?: string; payload?: string }) =>
      (
        await app.turns.process({
          channel: "test",
          messageId: `m${++n}`,
          conversationId: "c",
          userId: "c",
          ...m,
        })
      ).replies
        .map((r) => r.text)
        .join("\n");
    await send({ payload: "flow:pledge" });
    await send({ text: "200k" });
    await send({ payload: "v:cash" });
    await send({ payload: "v:no" });
    const read = await app.store.acquire("test:c", "peek-1");
    const beforeConfirm = read!.session!;
    await app.store.release(read!, null);

    const first = /VNN-[0-9A-Z]{6}/.exec(await send({ payload: "v:confirm" }))?.[0];
    // Simulate a lost session write: the conversation is back where it was before "confirm".
    const restore = await app.store.acquire("test:c", "peek-2");
    await app.store.release(restore!, beforeConfirm);
    const again = await send({ payload: "v:confirm" });

    expect(first).toBeDefined();
    expect(again).toContain(first!);
    expect(await app.records.pledges.listByUser("test:c")).toHaveLength(1);
    // A new pledge later in the same conversation is a new pledge.
    await send({ payload: "v:no" });
    await send({ payload: "flow:pledge" });
    await send({ text: "300k" });
    await send({ payload: "v:cash" });
    await send({ payload: "v:no" });
    await send({ payload: "v:confirm" });
    expect((await app.records.pledges.listByUser("test:c")).map((p) => p.amount)).toEqual([200_000, 300_000]);
    await app.close();
  });

  it("keeps no answer in the session once a flow is finished: a phone said without consent is gone", async () => {
    const app = await testApp();
    let n = 0;
    const send = async (m: { text?: string; payload?: string }) =>
      (
        await app.turns.process({
          channel: "test",
          messageId: `m${++n}`,
          conversationId: "d",
          userId: "d",
          ...m,
        })
      ).replies
        .map((r) => r.text)
        .join("\n");
    const stored = async () => {
      const lease = await app.store.acquire("test:d", `peek-${n}`);
      await app.store.release(lease!, lease!.session);
      return JSON.stringify(lease!.session);
    };
    await send({ text: "tôi muốn ủng hộ 500k tiền mặt, sđt 0987654321" });
    expect(await stored()).toContain("0987654321"); // the first sentence, for the questions ahead
    await send({ payload: "v:no" }); // no consent to contact details
    await send({ payload: "v:confirm" });
    await send({ payload: "v:no" }); // no reminders: the pledge flow is over
    const after = await stored();
    expect(after).not.toContain("0987654321");
    expect(after).not.toContain("500000");
    expect((await app.records.pledges.listByUser("test:d")).map((p) => [p.amount, p.phone])).toEqual([
      [500_000, undefined],
    ]);
    await app.close();
  });
});
