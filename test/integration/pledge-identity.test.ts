import { describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { testApp } from "../support/test-app.ts";

/** A web chat donor on `app`, with message ids that never repeat across restarts. */
function donor(app: App, user: string, prefix: string) {
  let n = 0;
  return async (m: { text?: string; payload?: string }) =>
    (
      await app.turns.process({
        channel: "webchat",
        messageId: `${prefix}-${++n}`,
        conversationId: user,
        userId: user,
        ...m,
      })
    ).replies
      .map((r) => r.text)
      .join("\n");
}

const reference = (text: string) => /VNN-[0-9A-Z]{6}/.exec(text)?.[0];

async function pledge(say: ReturnType<typeof donor>, amount: string): Promise<string> {
  await say({ payload: "flow:pledge" });
  await say({ text: amount });
  await say({ payload: "v:cash" });
  await say({ payload: "v:no" });
  return say({ payload: "v:confirm" });
}

describe("a pledge's identity comes from what the donor did, not from a turn counter", () => {
  it("a returning donor whose session was lost (a restart on the default stores) gets a new pledge, never the old reference", async () => {
    const first = await testApp();
    const before = reference(await pledge(donor(first, "returning-donor", "a"), "200k"));
    expect(before).toBeDefined();
    await first.close();

    // Sessions live in memory by default: a restart loses them, the records stay on disk.
    const second = await testApp({ dataDir: first.config.DATA_DIR });
    const answer = await pledge(donor(second, "returning-donor", "b"), "300k");
    const after = reference(answer);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const saved = await second.records.pledges.listByUser("webchat:returning-donor");
    expect(saved.map((p) => [p.reference, p.amount])).toEqual([
      [before, 200_000],
      [after, 300_000],
    ]);
    await second.close();
  });

  it("a session deleted between two pledges (a store flush) does not merge them", async () => {
    const app = await testApp();
    const say = donor(app, "flushed-donor", "c");
    const one = reference(await pledge(say, "200k"));
    const lease = await app.store.acquire("webchat:flushed-donor", "flush");
    await app.store.release(lease!, { v: 1, lang: "vi", stack: [], slots: {}, vars: {}, history: [], at: 0 });
    const two = reference(await pledge(say, "200k"));
    expect(two).toBeDefined();
    expect(two).not.toBe(one);
    expect(await app.records.pledges.listByUser("webchat:flushed-donor")).toHaveLength(2);
    await app.close();
  });
});
