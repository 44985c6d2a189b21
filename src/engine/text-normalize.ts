/**
 * Text folding shared by every matcher: lower case, no diacritics, đ → d, punctuation to spaces.
 * Vietnamese users often type without diacritics ("vi nguoi ngheo"), so matching happens on
 * the folded form.
 */
export function foldText(text: string): string {
  // Choice labels, synonyms and command words are folded on every turn: remember short ones.
  const hit = folds.get(text);
  if (hit !== undefined) return hit;
  const folded = fold(text);
  if (text.length <= 64) {
    if (folds.size >= 10_000) folds.clear();
    folds.set(text, folded);
  }
  return folded;
}

const folds = new Map<string, string>();

function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}/.,]+/gu, " ")
    .replace(/[.,](?!\d)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Lower case and NFC with diacritics kept: used where "huy" (a name) must not equal "hủy" (cancel). */
export function lowerText(text: string): string {
  return text.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Splits folded text into words. */
export function words(folded: string): string[] {
  return folded.split(" ").filter((w) => w.length > 0);
}

/** Lower-case words with their diacritics, single-spaced, punctuation dropped ("don't" stays one word). */
export function lowerWords(text: string): string {
  return lowerText(text)
    .replace(/[^\p{L}\p{M}\d']+/gu, " ")
    .trim();
}

/** Folded words separated by single spaces, punctuation and emoji dropped ("💝 Đăng ký ủng hộ" is "dang ky ung ho"). */
export function plainWords(text: string): string {
  return foldText(text)
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** Typed without any diacritic, emoji or other non-ASCII character ("co", "dong y", "how do I"). */
export function isAscii(text: string): boolean {
  return /^[\x00-\x7F]*$/.test(text);
}

/**
 * Words whose diacritics carry the meaning (commands.yaml distinct_words: "nhắn" and "nhận") as
 * tokens of their own, before folding makes them one. Lower-cased.
 */
export function keepApart(text: string, distinct: ReadonlyMap<string, string>): string {
  if (distinct.size === 0) return text;
  return lowerText(text)
    .split(" ")
    .map((w) => distinct.get(w.replace(/[^\p{L}\p{M}\d]/gu, "")) ?? w)
    .join(" ");
}
