import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../src/engine/reply.ts";
import { testApp } from "./support/test-app.ts";

let app: Awaited<ReturnType<typeof testApp>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

let n = 0;
async function say(user: string, m: object): Promise<Reply[]> {
  return (
    await app!.turns.process({
      channel: "webchat",
      messageId: `${user}-${++n}`,
      conversationId: user,
      userId: user,
      ...m,
    })
  ).replies;
}
const text = (replies: Reply[]) => replies.map((r) => r.text).join("\n");

describe("a reference code typed alone", () => {
  it("shows the person's own pledge with what to do next, and never another person's", async () => {
    app = await testApp();
    for (const m of [
      { payload: "flow:pledge" },
      { text: "300k" },
      { payload: "v:cash" },
      { payload: "v:no" },
    ])
      await say("owner", m);
    const reference = /VNN-[0-9A-Z]{6}/.exec(text(await say("owner", { payload: "v:confirm" })))![0];
    await say("owner", { payload: "v:no" });

    const mine = await say("owner", { text: `mã ${reference.toLowerCase()} của tôi` });
    expect(text(mine)).toBe(
      `Khoản ủng hộ ${reference}: 300.000 đ — Tiền mặt tại Mặt trận — đã đăng ký (ngày 20/10/2019).`,
    );
    expect(mine.at(-1)!.buttons!.map((b) => b.payload)).toEqual([
      `flow:pledge_paid@${reference.toLowerCase()}`,
      `flow:pledge_cancel@${reference.toLowerCase()}`,
      "cmd:menu",
    ]);

    const theirs = text(await say("stranger", { text: reference }));
    expect(theirs).toContain("không tìm thấy khoản ủng hộ có mã này");
    expect(theirs).not.toContain("300.000");

    await app.records.pledges.setStatus(reference, "paid");
    const paid = await say("owner", { text: reference });
    expect(text(paid)).toContain("— đã nộp (ngày 20/10/2019)");
    expect(paid.at(-1)!.buttons!.map((b) => b.payload)).toEqual(["flow:my_pledges", "cmd:menu"]); // nothing left to do
  });
});
