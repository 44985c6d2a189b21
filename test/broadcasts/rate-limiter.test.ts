import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../src/broadcasts/rate-limiter.ts";

/** Blocks the event loop, as a long GC pause or a starved CPU does to a worker. */
function stall(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe("rate limiter", () => {
  it("does not let sends that waited through a stall go out together", async () => {
    const limiter = new MemoryRateLimiter({ telegram: 10 }); // a slot every ~101 ms
    const started = performance.now();
    const sent: number[] = [];
    const sends = Array.from({ length: 6 }, () =>
      limiter.take("telegram").then(() => sent.push(performance.now() - started)),
    );
    await new Promise((r) => setTimeout(r, 20));
    stall(400); // the first send went; the next four slots pass while the process is stuck
    await Promise.all(sends);
    sent.sort((a, b) => a - b);
    // Without the guard the overdue ones would all leave at ~420 ms. A send may go up to 15 ms
    // late (the margin's slack), and timers fire a little late, hence > 80 on a ~101 ms spacing.
    for (let i = 1; i < sent.length; i++)
      expect(
        sent[i]! - sent[i - 1]!,
        `gap before send ${i + 1} (${sent.map((t) => t.toFixed(0)).join(", ")} ms)`,
      ).toBeGreaterThan(80);
  });
});
