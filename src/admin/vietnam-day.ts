/** Midnight starting a YYYY-MM-DD day in Vietnam (staff's dates in queries), or undefined. */
export function vietnamDayStart(day?: string): Date | undefined {
  return day ? new Date(`${day}T00:00:00+07:00`) : undefined;
}
