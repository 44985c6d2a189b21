import { lowerWords } from "./text-normalize.ts";

/**
 * The words of commands.yaml `negations` ("không", "đừng", "don't", "từ chối"), looked for as
 * whole words with their diacritics: folded, "đừng" (don't) would be "đúng" (right).
 */
export class Negations {
  private readonly phrases: string[];

  constructor(words: readonly string[]) {
    this.phrases = words.map(lowerWords).filter(Boolean);
  }

  /** One anywhere in `spaced`: lower-case words (lowerWords) with a space at each end. */
  in(spaced: string): boolean {
    return this.phrases.some((p) => spaced.includes(` ${p} `));
  }

  /**
   * One before another word ("không muốn", "chưa nộp", "đừng gửi"): a "không" or "chưa" that ends
   * a sentence asks ("nộp tiền mặt được không"), it does not deny.
   */
  beforeAWord(text: string): boolean {
    return this.negatedWords(text).length > 0;
  }

  /** The word right after each negation, lower-case: "tôi không muốn ủng hộ" gives ["muốn"]. */
  negatedWords(text: string): string[] {
    const spaced = ` ${lowerWords(text)} `;
    const found: string[] = [];
    for (const p of this.phrases) {
      for (let at = spaced.indexOf(` ${p} `); at >= 0; at = spaced.indexOf(` ${p} `, at + 1)) {
        const next = spaced.slice(at + p.length + 2).split(" ", 1)[0];
        if (next) found.push(next);
      }
    }
    return found;
  }
}
