import MiniSearch from "minisearch";
import { isAmountUnit } from "./amount-parser.ts";
import type { Commands, FaqEntry } from "./flow-schema.ts";
import type { Language } from "./locales.ts";
import { Negations } from "./negations.ts";
import { foldText, keepApart, lowerWords, words } from "./text-normalize.ts";

/** Terms of a message searched at most, and the longest term matched with typos or as a prefix. */
const MAX_QUERY_TERMS = 64;
const MAX_FUZZY_TERM = 32;

/** A unit after a figure: of an amount ("50 tỷ", "2 củ"), or of texts ("5 tin": five messages, not "trust"). */
const isUnit = (folded: string) => isAmountUnit(folded) || folded === "tin";

/** How much a sentence's negation counts for an entry that says no (`negated_only`). */
const NEGATED_BOOST = 1.5;

export interface FaqMatch {
  entry: FaqEntry;
  /** The language of the sample question that matched best. */
  lang: Language;
  /** 0..1: the share of the question's meaningful words found in the best entry's sample questions. */
  confidence: number;
}

/**
 * Finds the FAQ entry a question is about. MiniSearch ranks sample questions (both languages)
 * with BM25 and fuzzy/prefix matching for typos; text is folded (no diacritics), informal
 * abbreviations are expanded ("ntn" → "nhu the nao") and filler words are dropped first.
 */
export class FaqMatcher {
  private readonly index: MiniSearch<{ id: number; faq: string; lang: Language; text: string }>;
  private readonly byId: Map<string, FaqEntry>;
  private readonly stopWords: Set<string>;
  private readonly negations: Negations;
  private readonly contextPhrases: string[];
  private readonly distinct: Map<string, string>;
  private readonly leadIns: string[][];
  /** Per `negated_only` entry, the folded words of its samples: a negation must deny one of them. */
  private readonly negatedOnlyWords: Map<string, Set<string>>;

  constructor(
    entries: FaqEntry[],
    private readonly commands: Commands,
  ) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.stopWords = new Set(commands.stop_words.map(foldText));
    this.negations = new Negations(commands.negations);
    this.distinct = new Map(Object.entries(commands.distinct_words));
    this.negatedOnlyWords = new Map(
      entries
        .filter((e) => e.negated_only)
        .map((e) => [
          e.id,
          new Set(
            [...e.questions.vi, ...e.questions.en].flatMap((q) => lowerWords(q).split(" ").map(foldText)),
          ),
        ]),
    );
    this.leadIns = commands.question_lead_ins.map((p) => words(foldText(p)));
    this.contextPhrases = commands.context_phrases
      .map((p) => words(foldText(p)).join(" "))
      .sort((a, b) => b.length - a.length);
    this.index = new MiniSearch({
      fields: ["text"],
      storeFields: ["faq", "lang"],
      tokenize: (text) => this.terms(text),
      processTerm: (term) => term,
      // Vietnamese syllables are short and differ by one letter ("bang" and "vang"), so typos are
      // forgiven only in longer words (English, or run-together syllables).
      searchOptions: {
        fuzzy: (term) => (term.length >= 5 && term.length <= MAX_FUZZY_TERM ? 1 : 0),
        prefix: (term) => term.length >= 5 && term.length <= MAX_FUZZY_TERM,
        combineWith: "OR",
      },
    });
    let id = 0;
    this.index.addAll(
      entries.flatMap((e) =>
        [
          ...e.questions.vi.map((text) => ({ lang: "vi" as const, text })),
          ...e.questions.en.map((text) => ({ lang: "en" as const, text })),
        ].map((q) => ({ id: id++, faq: e.id, ...q })),
      ),
    );
  }

  /** Folded, abbreviation-expanded, filler-free words of a text. */
  terms(text: string): string[] {
    const kept = keepApart(text, this.distinct);
    const expanded = this.afterLeadIn(words(foldText(kept))).flatMap((w) =>
      words(foldText(this.commands.abbreviations[w] ?? w)),
    );
    // A unit after a figure is part of an amount ("50 tỷ"), not a word: folded, "tỷ" is the "ty" of "công ty".
    const meant = expanded.filter(
      (w, i) => !this.stopWords.has(w) && !(isUnit(w) && /^\d/.test(expanded[i - 1] ?? "")),
    );
    const asked = this.withoutContext(meant);
    return asked.length > 0 ? asked : meant;
  }

  /**
   * "Chị ơi cho chị hỏi cái là … ở đâu vậy em": what follows the last lead-in (commands.yaml
   * question_lead_ins) is the question. A lead-in with nothing after it ("cho mình hỏi") stays.
   */
  private afterLeadIn(folded: string[]): string[] {
    let from = 0;
    for (const leadIn of this.leadIns) {
      for (let i = folded.length - leadIn.length - 1; i + leadIn.length > from; i--) {
        if (leadIn.every((w, j) => folded[i + j] === w)) {
          from = i + leadIn.length;
          break;
        }
      }
    }
    return from > 0 && from < folded.length ? folded.slice(from) : folded;
  }

  /** The words without the campaign's name (commands.yaml context_phrases), longest phrase first. */
  private withoutContext(terms: string[]): string[] {
    let text = ` ${terms.join(" ")} `;
    for (const phrase of this.contextPhrases) text = text.replaceAll(` ${phrase} `, " ");
    return words(text.trim());
  }

  get(id: string): FaqEntry | undefined {
    return this.byId.get(id);
  }

  match(text: string): FaqMatch | null {
    // Bounded work per message: a question is never this long, and each term is a search.
    const query = this.terms(text).slice(0, MAX_QUERY_TERMS);
    // A bare "no" names no question: it matched "no more messages" and unsubscribed people.
    if (query.length === 0 || this.negations.only(text)) return null;
    // "Tôi không muốn nhận tin" is no wish to subscribe: "không" is a stop word, so entries that
    // a negation turns around (`affirmative_only`) are left out when the sentence has one, and
    // entries that say no (`negated_only`) when it has none.
    const denied = this.negations.negatedWords(text).map(foldText);
    const negated = denied.length > 0;
    const results = this.index.search(query.join(" "), {
      filter: (r) => {
        const entry = this.byId.get(r.faq as string);
        if (!negated) return !entry?.negated_only;
        if (entry?.affirmative_only) return false;
        // What is denied must be what the entry is about: "I don't know how to donate" denies
        // knowing, not giving, so it is not "I don't want to donate".
        return !entry?.negated_only || denied.some((w) => this.negatedOnlyWords.get(entry.id)!.has(w));
      },
      // For a `negated_only` entry the negation is part of what it matches, one word more than
      // the stop-word-free terms show: "tôi không ủng hộ" is not_giving before "ủng hộ" (how to give).
      boostDocument: negated
        ? (_id, _term, stored) => (this.byId.get(stored?.faq as string)?.negated_only ? NEGATED_BOOST : 1)
        : undefined,
    });
    const best = results[0];
    if (!best) return null;
    // queryTerms: the query words that matched this sample, exactly or fuzzily. Numbers count
    // only when they are all there is ("1400?"): in "ủng hộ 500 nghìn" the amount is not the question.
    const counted = (terms: string[]) => {
      const words = new Set(terms.filter((t) => !/^\d[\d.,]*$/.test(t)));
      return words.size > 0 ? words : new Set(terms);
    };
    const asked = counted(query);
    const share = (terms: string[]) => [...counted(terms)].filter((t) => asked.has(t)).length / asked.size;
    // When the best sample already covers half of the question, the words any sample of its entry
    // matched count: "nhà tôi là hộ nghèo, làm sao xin hỗ trợ" is two of its samples in one
    // sentence. Below half, no: "đăng ký học tiếng anh" is not "đăng ký" + "tôi muốn ủng hộ".
    const single = share(best.queryTerms);
    const confidence =
      single >= 0.5 ? share(results.filter((r) => r.faq === best.faq).flatMap((r) => r.queryTerms)) : single;
    const entry = this.byId.get(best.faq as string);
    return entry ? { entry, lang: best.lang as Language, confidence } : null;
  }
}
