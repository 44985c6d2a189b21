import { foldText, isAscii, lowerWords } from "./text-normalize.ts";

/** Skin tones and emoji presentation marks: "👍🏽" and "👍" are the same answer. */
const EMOJI_MARKS = /[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu;

/**
 * Answer words from commands.yaml ("có", "ok", "👍"). Typed with diacritics, a text is compared
 * as written: folded, "đừng" (don't) would be "đúng" (right), a yes. Typed bare ("co", "dong y"),
 * it is compared folded. Entries with no letters or digits ("👍", "-") fold to nothing, so they
 * are compared as typed: otherwise "?" or "..." would count as any of them.
 */
export class PhraseSet {
  private readonly folded: Set<string>;
  private readonly written: Set<string>;
  private readonly symbols: Set<string>;

  constructor(phrases: readonly string[]) {
    this.folded = new Set(phrases.map(foldText).filter(Boolean));
    this.written = new Set(phrases.map(lowerWords).filter(Boolean));
    this.symbols = new Set(phrases.filter((p) => !foldText(p)).map(symbolKey));
  }

  has(text: string): boolean {
    const f = foldText(text);
    if (!f) return this.symbols.has(symbolKey(text));
    return isAscii(text) ? this.folded.has(f) : this.written.has(lowerWords(text));
  }
}

/** Marks and spaces dropped, repeats folded: "👍 👍👍" is "👍". */
function symbolKey(text: string): string {
  return text
    .replace(EMOJI_MARKS, "")
    .replace(/\s+/g, "")
    .replace(/(.)\1+/gu, "$1");
}
