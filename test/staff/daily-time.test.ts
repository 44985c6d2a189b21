import { describe, expect, it } from "vitest";
import { dailyCron } from "../../src/staff/daily-time.ts";
import { nextVietnamTime } from "../../src/time/vietnam-time.ts";

describe("the staff digest's time of day (Vietnam, UTC+7)", () => {
  it("is the next time the clock in Vietnam reads it", () => {
    expect(nextVietnamTime(new Date("2026-11-29T12:00:00Z"), "20:00").toISOString()).toBe(
      "2026-11-29T13:00:00.000Z",
    ); // 19:00 → 20:00 today
    expect(nextVietnamTime(new Date("2026-11-29T13:00:00Z"), "20:00").toISOString()).toBe(
      "2026-11-30T13:00:00.000Z",
    ); // at 20:00 sharp: tomorrow
    expect(nextVietnamTime(new Date("2026-11-29T18:00:00Z"), "20:00").toISOString()).toBe(
      "2026-11-30T13:00:00.000Z",
    ); // 01:00 on the 30th in Vietnam
    expect(nextVietnamTime(new Date("2026-11-29T17:00:00Z"), "00:05").toISOString()).toBe(
      "2026-11-29T17:05:00.000Z",
    ); // just after midnight there
  });

  it("is a cron pattern for BullMQ's scheduler", () => {
    expect(dailyCron("20:05")).toBe("5 20 * * *");
    expect(dailyCron("07:00")).toBe("0 7 * * *");
  });
});
