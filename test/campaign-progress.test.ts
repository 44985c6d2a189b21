import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testApp } from "./support/test-app.ts";

let app: Awaited<ReturnType<typeof testApp>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Says each message as one user; returns the bot's last answer. */
async function say(user: string, ...messages: object[]): Promise<string> {
  let last = "";
  for (const [i, m] of messages.entries())
    last = (
      await app!.turns.process({
        channel: "webchat",
        messageId: `${user}-${i}-${Math.random()}`,
        conversationId: user,
        userId: user,
        ...m,
      })
    ).replies
      .map((r) => r.text)
      .join("\n");
  return last;
}

const pledge = (amount: string) => [
  { payload: "flow:pledge" },
  { text: amount },
  { payload: "v:cash" },
  { payload: "v:no" },
  { payload: "v:confirm" },
];

describe("how far the campaign is (“đã quyên góp được bao nhiêu?”)", () => {
  it("tells the pledges made through the bot, without cancelled ones, and says they are not the fund's total", async () => {
    app = await testApp();
    await say("p1", ...pledge("300k"));
    await say("p2", ...pledge("500k"));
    const cancelled = /VNN-[0-9A-Z]{6}/.exec(await say("p3", ...pledge("9 triệu")))![0];
    await app.records.pledges.setStatus(cancelled, "cancelled");
    const answer = await say("asker", { text: "quỹ đã quyên góp được bao nhiêu rồi?" });
    expect(answer).toContain("đã có 2 khoản đăng ký ủng hộ qua trợ lý này, tổng cộng 800.000 đ");
    expect(answer).toContain("chưa phải số tiền Quỹ đã nhận");
    expect(await say("asker-en", { text: "English" }, { text: "how much has been raised?" })).toContain(
      "So far 2 pledges have been made through this assistant, 800,000 VND in all",
    );
  });

  it("names no figure when campaign data keeps totals private", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chungtay-flows-"));
    cpSync("flows", join(dir, "flows"), { recursive: true });
    const campaign = join(dir, "flows", "campaign.yaml");
    writeFileSync(
      campaign,
      readFileSync(campaign, "utf8").replace("public_totals: true", "public_totals: false"),
    );
    app = await testApp({ env: { FLOWS_DIR: join(dir, "flows") } });
    await say("p1", ...pledge("300k"));
    const answer = await say("asker", { text: "tổng số tiền ủng hộ là bao nhiêu?" });
    expect(answer).toContain("tôi không đưa ra con số ở đây");
    expect(answer).not.toMatch(/\d{3}\.000 đ/);
  });
});
