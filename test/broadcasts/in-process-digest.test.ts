import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { InProcessJobs } from "../../src/broadcasts/in-process-jobs.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("the staff digest without Redis", () => {
  it("runs at STAFF_DIGEST_AT in Vietnam, then every day at that time; not at all when off", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-29T12:59:00Z") }); // 19:59 in Vietnam
    const runs: string[] = [];
    const handlers = {
      expand: async () => {},
      batch: async () => ({ done: true }) as const,
      sweep: async () => {},
      digest: async () => void runs.push(new Date().toISOString()),
    };
    const jobs = new InProcessJobs(
      { concurrency: 1, sweepEveryMs: 3_600_000, digestAt: "20:00" },
      pino({ level: "silent" }),
    );
    await jobs.start(handlers);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(runs).toEqual(["2026-11-29T13:00:00.000Z"]);
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(runs).toEqual(["2026-11-29T13:00:00.000Z", "2026-11-30T13:00:00.000Z"]);
    await jobs.close();

    const off = new InProcessJobs(
      { concurrency: 1, sweepEveryMs: 3_600_000, digestAt: "off" },
      pino({ level: "silent" }),
    );
    await off.start(handlers);
    await vi.advanceTimersByTimeAsync(2 * 86_400_000);
    expect(runs).toHaveLength(2);
    await off.close();
  });
});
