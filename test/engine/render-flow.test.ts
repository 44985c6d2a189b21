import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { testApp } from "../support/test-app.ts";

/** Flows rendered outside a conversation: the messages the bot sends on its own. */
describe("Engine.render", () => {
  let app: App;
  beforeAll(async () => {
    app = await testApp();
  });
  afterAll(async () => {
    await app.close();
  });
  const to = { channel: "telegram", userId: "7", conversationId: "7" };

  it("renders a payment reminder from flows and copy: the pledge flow's own instructions and buttons naming the pledge", async () => {
    const replies = await app.engine.render("reminder_message", "en", to, {
      slots: { amount: 300_000, method: "cash" },
      vars: { reference: "VNN-ABC123", date: "20/10/2019" },
    });
    const text = replies.map((r) => r.text).join("\n\n");
    expect(text).toContain("VNN-ABC123");
    expect(text).toContain(
      app.engine.text("payment.cash", "en", {
        slots: { amount: 300_000 },
        vars: { reference: "VNN-ABC123" },
      }),
    );
    expect(replies.at(-1)?.buttons?.map((b) => b.payload)).toEqual([
      "flow:pledge_paid@vnn-abc123",
      "flow:pledge_cancel@vnn-abc123",
    ]);
  });

  it("refuses a flow that stops to ask, and says which", async () => {
    await expect(app.engine.render("pledge", "vi", to, {})).rejects.toThrow(/render "pledge".*ask/);
  });

  it("refuses a button argument that is not a payload argument, and says which button", async () => {
    await expect(
      app.engine.render("reminder_message", "vi", to, {
        slots: { amount: 1, method: "cash" },
        vars: { reference: "not a reference!" },
      }),
    ).rejects.toThrow(/button flow:pledge_paid: vars\.reference = "not a reference!"/);
  });
});
