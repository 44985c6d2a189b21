import { foldText, lowerWords, words } from "../engine/text-normalize.ts";

/** Bump when featuresOf changes what it returns: models trained before it are then stale. */
export const FEATURES_VERSION = 1;

/** Longer messages are read by their first characters only: the cost of a message stays bounded. */
export const MAX_FEATURE_CHARS = 600;

/** Entities become placeholders, so "cho em vay 5 triệu" teaches "vay <amount>", not "5". */
const PHONE = /\+?\d[\d .-]{7,}\d/g;
const REFERENCE = /\bvnn-[a-z0-9]{4,8}\b/giu;
const AMOUNT =
  /(?:[$€]\s*\d[\d.,]*|\d[\d.,]*\s*(?:k|nghìn|nghin|ngàn|ngan|triệu|trieu|tr|củ|cu|tỷ|ty|đ|đồng|dong|vnd|vnđ|đô|do|usd|\$|lít|lit|xị|xi)\b)/giu;
const NUMBER = /\d[\d.,]*/g;

/**
 * The features of a message for the intent classifier: folded words (diacritics dropped, as most
 * people type), the words as written when their diacritics carry meaning, informal spellings
 * expanded, word pairs, and letter triples so that a typo still shares most of a word.
 */
export function featuresOf(text: string, abbreviations: Readonly<Record<string, string>>): string[] {
  const placed = text
    .slice(0, MAX_FEATURE_CHARS)
    .replace(REFERENCE, " zzref ")
    .replace(PHONE, " zzphone ")
    .replace(AMOUNT, " zzamount ")
    .replace(NUMBER, " zznum ");
  const written = words(lowerWords(placed));
  const folded = words(foldText(placed));
  const out = new Set<string>();
  for (const w of written) if (foldText(w) !== w) out.add(`d:${w}`);
  const expanded: string[] = [];
  for (const w of folded) {
    const long = abbreviations[w];
    if (long) expanded.push(...words(foldText(long)));
    else expanded.push(w);
  }
  for (const w of new Set([...folded, ...expanded])) out.add(`w:${w}`);
  for (let i = 0; i + 1 < expanded.length; i++) out.add(`b:${expanded[i]}_${expanded[i + 1]}`);
  for (const w of expanded) {
    if (w.startsWith("zz") || w.length < 3) continue;
    const padded = `_${w}_`;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(`c:${padded.slice(i, i + 3)}`);
  }
  return [...out];
}
