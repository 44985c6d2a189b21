import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TEXT_CHARS } from "../../src/engine/inbound.ts";
import type { App } from "../../src/app.ts";
import { testApp } from "../support/test-app.ts";

let app: App;
let n = 0;
beforeAll(async () => {
  app = await testApp();
});
afterAll(async () => {
  await app.close();
});

async function say(conversation: string, m: { text?: string; payload?: string }): Promise<string> {
  const result = await app.turns.process({
    channel: "test",
    messageId: `m${++n}`,
    conversationId: conversation,
    userId: conversation,
    ...m,
  });
  return result.replies.map((r) => r.text).join("\n");
}

/** Milliseconds one message takes, end to end through the turn processor. */
async function cost(text: string): Promise<number> {
  const started = performance.now();
  await say(`cost-${n}`, { text });
  return performance.now() - started;
}

// Generous bounds on shared CI cores: the point is "not seconds", measured numbers are in
// bench/message-cost.md. Before: a 60,000-letter word took 8.6 s and 3.7 GB, 100,000
// characters of "1." 86–116 s.
describe("one message costs a bounded amount of work, whatever its length", () => {
  it("handles a 4,096-character word and 4,096 characters of '1.' quickly", async () => {
    await cost("warm up");
    expect(await cost("a".repeat(4096))).toBeLessThan(1_000);
    expect(await cost("1.".repeat(2048))).toBeLessThan(1_000);
  });

  it("cuts text longer than a platform allows before reading it: 60,000 letters, 100,000 of '1.'", async () => {
    expect(await cost("a".repeat(60_000))).toBeLessThan(2_000);
    expect(await cost("1.".repeat(50_000))).toBeLessThan(2_000);
  });

  it("reads only the first 4,096 characters: an amount said after them is not heard", async () => {
    await say("cut", { payload: "flow:pledge" });
    const padding = "ừ ".repeat(MAX_TEXT_CHARS / 2);
    const after = await say("cut", { text: `${padding} 500k` });
    expect(after).not.toContain("500.000");
    const within = await say("cut", { text: "500k" });
    expect(within).toContain("500.000");
  });
});
