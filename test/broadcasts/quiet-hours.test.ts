import { describe, expect, it } from "vitest";
import { nextSendTime, parseQuietHours } from "../../src/broadcasts/quiet-hours.ts";

const vn = (s: string) => new Date(`${s}+07:00`);

describe("quiet hours (Vietnam time)", () => {
  const quiet = parseQuietHours("21:00-07:00");

  it("lets daytime sends go now", () => {
    expect(nextSendTime(vn("2026-11-30T09:15:00"), quiet)).toEqual(vn("2026-11-30T09:15:00"));
    expect(nextSendTime(vn("2026-11-30T20:59:00"), quiet)).toEqual(vn("2026-11-30T20:59:00"));
  });

  it("holds evening and night sends until 07:00", () => {
    expect(nextSendTime(vn("2026-11-30T21:00:00"), quiet)).toEqual(vn("2026-12-01T07:00:00"));
    expect(nextSendTime(vn("2026-11-30T23:30:00"), quiet)).toEqual(vn("2026-12-01T07:00:00"));
    expect(nextSendTime(vn("2026-12-01T03:05:00"), quiet)).toEqual(vn("2026-12-01T07:00:00"));
    expect(nextSendTime(vn("2026-12-01T07:00:00"), quiet)).toEqual(vn("2026-12-01T07:00:00"));
  });

  it("handles windows that do not cross midnight, and off", () => {
    expect(nextSendTime(vn("2026-11-30T12:30:00"), parseQuietHours("12:00-13:30"))).toEqual(
      vn("2026-11-30T13:30:00"),
    );
    expect(nextSendTime(vn("2026-11-30T23:30:00"), parseQuietHours("off"))).toEqual(
      vn("2026-11-30T23:30:00"),
    );
  });

  it("refuses malformed settings", () => {
    expect(() => parseQuietHours("9pm-7am")).toThrow(/HH:MM-HH:MM/);
    expect(() => parseQuietHours("07:00-07:00")).toThrow(/same time/);
  });
});
