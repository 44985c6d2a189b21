/** A time of day in Vietnam ("20:00") as a cron pattern (minute hour * * *), to run with tz Asia/Ho_Chi_Minh. */
export function dailyCron(hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  return `${m} ${h} * * *`;
}
