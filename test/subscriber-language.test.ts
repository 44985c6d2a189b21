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

describe("unsubscribing", () => {
  it("needs an unsubscribe intent: a bare English 'no' after a broadcast keeps the subscription", async () => {
    const app = await testApp();
    let n = 0;
    const say = (text: string) =>
      app.turns.process({
        channel: "test",
        messageId: `u${++n}`,
        conversationId: "u",
        userId: "u",
        text,
        locale: "en",
      });
    await say("hello");
    await app.turns.process({
      channel: "test",
      messageId: "sub",
      conversationId: "u",
      userId: "u",
      payload: "flow:subscribe",
    });
    expect((await app.records.subscribers.get("test", "u"))?.optedIn).toBe(true);
    // A broadcast arrives (nothing waits for an answer); the person answers it "no".
    for (const answer of ["no", "No", "nope"]) {
      await say(answer);
      expect((await app.records.subscribers.get("test", "u"))?.optedIn, answer).toBe(true);
    }
    await say("stop sending me messages");
    expect((await app.records.subscribers.get("test", "u"))?.optedIn).toBe(false);
    await app.close();
  });
});
