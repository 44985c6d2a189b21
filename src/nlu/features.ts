import type { Commands } from "../engine/flow-schema.ts";
import { foldText, keepApart, lowerWords, words } from "../engine/text-normalize.ts";

/** What commands.yaml says of how people write, which the features follow. */
export type FeatureWords = Pick<Commands, "abbreviations" | "distinct_words" | "context_phrases">;

/** Bump when featuresOf changes what it returns: models trained before it are then stale. */
export const FEATURES_VERSION = 2;

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
export function featuresOf(text: string, forms: FeatureWords): string[] {
  const placed = keepApart(text.slice(0, MAX_FEATURE_CHARS), distinctOf(forms))
    .replace(REFERENCE, " zzref ")
    .replace(PHONE, " zzphone ")
    .replace(AMOUNT, " zzamount ")
    .replace(NUMBER, " zznum ");
  const written = words(lowerWords(placed));
  const folded = withoutContext(words(foldText(placed)), forms.context_phrases);
  const out = new Set<string>();
  for (const w of written) if (foldText(w) !== w) out.add(`d:${w}`);
  const expanded: string[] = [];
  for (const w of folded) {
    const long = forms.abbreviations[w];
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

const distincts = new WeakMap<FeatureWords, Map<string, string>>();
function distinctOf(forms: FeatureWords): Map<string, string> {
  let map = distincts.get(forms);
  if (!map) distincts.set(forms, (map = new Map(Object.entries(forms.distinct_words))));
  return map;
}

/**
 * The campaign's own name is context, not what is asked ("quỹ vì người nghèo ở đâu" asks where):
 * left out, unless it is all the message says ("vì người nghèo là gì").
 */
function withoutContext(folded: string[], phrases: readonly string[]): string[] {
  let text = ` ${folded.join(" ")} `;
  for (const phrase of phrases) text = text.replaceAll(` ${words(foldText(phrase)).join(" ")} `, " ");
  const left = words(text);
  return left.length > 0 ? left : folded;
}
