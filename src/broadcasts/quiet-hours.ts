/** Quiet hours in Vietnam time, e.g. 21:00–07:00: no broadcast or reminder is sent inside them. */
export interface QuietHours {
  /** Minutes after midnight when quiet starts (21:00 → 1260). */
  start: number;
  /** Minutes after midnight when sending may resume (07:00 → 420). */
  end: number;
}

const VIETNAM_OFFSET_MIN = 7 * 60; // Asia/Ho_Chi_Minh has no daylight saving time

/** Parses "21:00-07:00" (spans midnight when start > end); null for "off". */
export function parseQuietHours(text: string): QuietHours | null {
  if (text === "off") return null;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`quiet hours: "${text}" is not HH:MM-HH:MM or off`);
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (start === end) throw new Error(`quiet hours: "${text}" starts and ends at the same time`);
  return { start, end };
}

/** The earliest moment at or after `now` outside quiet hours. */
export function nextSendTime(now: Date, quiet: QuietHours | null): Date {
  if (!quiet) return now;
  const local = Math.floor(now.getTime() / 60_000) + VIETNAM_OFFSET_MIN; // minutes since epoch, Vietnam time
  const minute = ((local % 1440) + 1440) % 1440;
  const inside =
    quiet.start < quiet.end
      ? minute >= quiet.start && minute < quiet.end
      : minute >= quiet.start || minute < quiet.end;
  if (!inside) return now;
  const wait = (quiet.end - minute + 1440) % 1440;
  return new Date((local + wait - VIETNAM_OFFSET_MIN) * 60_000); // whole minutes: 07:00 sharp
}
