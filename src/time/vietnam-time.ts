/**
 * Dates and times as people in Vietnam read them (Asia/Ho_Chi_Minh, UTC+7 all year: no daylight
 * saving time), in one place: pledge dates, staff queries by day, the SMS drive's dates, the
 * staff digest's time of day, CSV exports.
 */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** Built once: a formatter costs more to build than to use. */
const DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" });
const DATE = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Asia/Ho_Chi_Minh",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const CLOCK = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh",
  hour: "2-digit",
  minute: "2-digit",
  day: "2-digit",
  month: "2-digit",
});

/** "2019-10-20": the day it is in Vietnam at `at`. */
export function vietnamDay(at: Date): string {
  return DAY.format(at);
}

/** Midnight starting a YYYY-MM-DD day in Vietnam (staff's dates in queries), or undefined. */
export function vietnamDayStart(day?: string): Date | undefined {
  return day ? new Date(`${day}T00:00:00+07:00`) : undefined;
}

/** Midnight today in Vietnam. */
export function startOfVietnamDay(now: Date): Date {
  return vietnamDayStart(vietnamDay(now))!;
}

/** "2019-10-19T23:30:00Z" → "20/10/2019": dates are shown as people in Vietnam saw them. */
export function vietnamDate(iso: string): string {
  return DATE.format(new Date(iso));
}

/** "14:05 30/11", for staff alerts. */
export function vietnamClock(iso: string): string {
  return CLOCK.format(new Date(iso));
}

/** "2026-11-30 07:15", as staff read it in a spreadsheet. */
export function vietnamMinute(iso: string): string {
  return new Date(Date.parse(iso) + VIETNAM_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}

/** The next moment after `now` when the clock in Vietnam reads `hhmm` ("20:00"). */
export function nextVietnamTime(now: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const local = new Date(now.getTime() + VIETNAM_OFFSET_MS);
  let at =
    Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), h, m) - VIETNAM_OFFSET_MS;
  if (at <= now.getTime()) at += 86_400_000;
  return new Date(at);
}
