import type { Reply } from "../engine/reply.ts";

/**
 * Splits text into pieces whose measured length fits the limit, preferring paragraph, line and
 * sentence boundaries, then spaces, and cutting a word only when nothing else fits. `measure`
 * lets a channel count what it really sends (Telegram counts the HTML-escaped text).
 */
export function splitText(
  text: string,
  limit: number,
  measure: (s: string) => number = (s) => s.length,
): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (measure(rest) > limit) {
    let fit = Math.min(rest.length, limit);
    while (measure(rest.slice(0, fit)) > limit) fit--;
    const window = rest.slice(0, fit);
    const cut = [/\n\n(?=[^\n]*$)/, /\n(?=[^\n]*$)/, /[.!?…](\s)(?=[^.!?…]*$)/, /\s(?=\S*$)/]
      .map((re) => re.exec(window))
      .find((m) => m && m.index > fit / 3);
    const at = cut ? cut.index + cut[0].length : fit;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest.trim().length > 0) pieces.push(rest.trimEnd());
  return pieces;
}

/**
 * Joins consecutive replies into one message while only the last carries buttons or links:
 * platforms limit messages per user (Telegram ~1/s per chat, Zalo per window), and one bubble
 * reads better.
 */
export function mergeReplies(replies: Reply[], limit: number): Reply[] {
  const merged: Reply[] = [];
  for (const reply of replies) {
    const prev = merged[merged.length - 1];
    const bare = prev && !prev.buttons?.length && !prev.links?.length && !prev.requestContact;
    if (prev && bare && prev.text.length + reply.text.length + 2 <= limit)
      merged[merged.length - 1] = { ...reply, text: `${prev.text}\n\n${reply.text}` };
    else merged.push(reply);
  }
  return merged;
}

/**
 * Replies as one message, for what the bot sends on its own (a reminder is one message, one
 * rate-limit slot): the texts joined, every link kept, the buttons of the last reply.
 */
export function oneMessage(replies: Reply[]): Reply {
  const links = replies.flatMap((r) => r.links ?? []);
  const buttons = replies.at(-1)?.buttons;
  return {
    text: replies.map((r) => r.text).join("\n\n"),
    ...(buttons?.length ? { buttons } : {}),
    ...(links.length ? { links } : {}),
  };
}
