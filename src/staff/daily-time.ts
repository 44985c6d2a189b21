/** A time of day in Vietnam ("20:00") as staff configure it, for the daily digest. */
const VIETNAM_OFFSET_MS = 7 * 3_600_000; // Vietnam has no daylight saving time

/** The next moment after `now` when the clock in Vietnam reads `hhmm`. */
export function nextVietnamTime(now: Date, hhmm: string): Date {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const local = new Date(now.getTime() + VIETNAM_OFFSET_MS);
  let at = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), h, m) - VIETNAM_OFFSET_MS;
  if (at <= now.getTime()) at += 86_400_000;
  return new Date(at);
}

/** The same time of day as a cron pattern (minute hour * * *), to run with tz Asia/Ho_Chi_Minh. */
export function dailyCron(hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return `${m} ${h} * * *`;
}
