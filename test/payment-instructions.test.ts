import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testApp } from "./support/test-app.ts";

const root = join(import.meta.dirname, "..");

/** Runs a bank-transfer pledge and returns everything the bot said after "confirm". */
async function transferPledge(env: Record<string, string> = {}): Promise<string> {
  const app = await testApp({ env });
  let n = 0;
  const send = (m: { text?: string; payload?: string }) =>
    app.turns.process({ channel: "test", messageId: String(++n), conversationId: "u", userId: "u", ...m });
  await send({ payload: "flow:pledge" });
  await send({ text: "300k" });
  await send({ payload: "v:transfer" });
  await send({ payload: "v:no" });
  const { replies } = await send({ payload: "v:confirm" });
  await app.close();
  return replies.map((r) => r.text).join("\n");
}

describe("payment instructions come from campaign data only", () => {
  it("gives no account number when campaign data has none, and points to the Front office", async () => {
    const text = await transferPledge();
    expect(text).toContain("Hiện chưa có số tài khoản nào được công bố");
    expect(text).toContain("Ủy ban MTTQ Việt Nam phường, xã");
    expect(text).not.toMatch(/\d{8,}/); // no account-number-like digits anywhere
  });

  it("shows exactly the published account, with the pledge's reference in the transfer note", async () => {
    const flows = mkdtempSync(join(tmpdir(), "chungtay-campaign-"));
    cpSync(join(root, "flows"), flows, { recursive: true });
    const campaign = readFileSync(join(flows, "campaign.yaml"), "utf8").replace(
      "bank_accounts: []",
      'bank_accounts: [{ bank: "Ngân hàng Thử nghiệm", account_number: "0011223344", account_name: "Quỹ Thử nghiệm", note_format: "{ref} ung ho quy" }]',
    );
    writeFileSync(join(flows, "campaign.yaml"), campaign);
    const text = await transferPledge({ FLOWS_DIR: flows, LOCALES_DIR: join(root, "locales") });
    const ref = /VNN-[0-9A-Z]{6}/.exec(text)?.[0];
    expect(text).toContain("Ngân hàng Thử nghiệm — số tài khoản 0011223344, chủ tài khoản Quỹ Thử nghiệm");
    expect(text).toContain(`nội dung: “${ref} ung ho quy”`);
    expect(text).not.toContain("chưa có số tài khoản");
    // Asked outright, the bot lists the same published account and asks for a pledge first.
    const app = await testApp({ env: { FLOWS_DIR: flows, LOCALES_DIR: join(root, "locales") } });
    const { replies } = await app.turns.process({
      channel: "test",
      messageId: "q",
      conversationId: "q",
      userId: "q",
      text: "số tài khoản của quỹ",
    });
    await app.close();
    const answer = replies.map((r) => r.text).join("\n");
    expect(answer).toContain("Ngân hàng Thử nghiệm — số tài khoản 0011223344, chủ tài khoản Quỹ Thử nghiệm");
    expect(answer).toContain("đăng ký ủng hộ trước");
    expect(answer).not.toContain("chưa công bố");
  });
});
