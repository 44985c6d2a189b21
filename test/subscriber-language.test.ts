import { describe, expect, it } from "vitest";
import { testApp } from "./support/test-app.ts";

describe("a subscriber's language", () => {
  it("follows their latest choice, so broadcasts and reminders come in it", async () => {
    const app = await testApp();
    let n = 0;
    const say = (m: { text?: string; payload?: string }) =>
      app.turns.process({
        channel: "test",
        messageId: `m${++n}`,
        conversationId: "lang",
        userId: "lang",
        ...m,
      });
    await say({ text: "xin chào" });
    await say({ payload: "flow:subscribe" });
    expect((await app.records.subscribers.get("test", "lang"))?.lang).toBe("vi");
    await say({ text: "/en" });
    expect((await app.records.subscribers.get("test", "lang"))?.lang).toBe("en");
    await say({ text: "/vi" });
    expect((await app.records.subscribers.get("test", "lang"))?.lang).toBe("vi");
    // Someone who never subscribed gets no record by choosing a language.
    await app.turns.process({
      channel: "test",
      messageId: "x1",
      conversationId: "other",
      userId: "other",
      text: "hi",
    });
    await app.turns.process({
      channel: "test",
      messageId: "x2",
      conversationId: "other",
      userId: "other",
      text: "/en",
    });
    expect(await app.records.subscribers.get("test", "other")).toBeNull();
    await app.close();
  });
});
