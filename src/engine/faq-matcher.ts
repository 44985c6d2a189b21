import type { IntentClassifier } from "../nlu/intent-classifier.ts";
import type { Commands, FaqEntry } from "./flow-schema.ts";
import { Negations } from "./negations.ts";

/** An entry a message is about, by the intent classifier, and how sure it is. */
export interface FaqMatch {
  entry: FaqEntry;
  /** 0..1: the classifier's confidence in this entry's intent. */
  confidence: number;
  /** The next likeliest entries, for asking back when unsure ("Ý bạn là…?"). */
  alternatives: { entry: FaqEntry; confidence: number }[];
  /** The message has a word the classifier learnt: worth asking back about. */
  known: boolean;
}

/**
 * Finds the FAQ entry a message is about: the intent the classifier trained on nlu/ reads in it,
 * whose entry in flows/faq.yaml has the same id. A sentence with a negation never reaches an
 * entry marked `affirmative_only` ("tôi không muốn nhận tin" subscribes nobody): the next
 * likeliest intent is taken instead.
 */
export class FaqMatcher {
  private readonly byId: Map<string, FaqEntry>;
  private readonly negations: Negations;
  /** A turn may ask several times about the same text (a question? a yes? an answer?): read once. */
  private last: { text: string; match: FaqMatch | null } | undefined;

  constructor(
    entries: FaqEntry[],
    commands: Commands,
    private readonly classifier: IntentClassifier,
  ) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
    this.negations = new Negations(commands.negations);
  }

  get(id: string): FaqEntry | undefined {
    return this.byId.get(id);
  }

  match(text: string): FaqMatch | null {
    if (this.last?.text !== text) this.last = { text, match: this.read(text) };
    return this.last.match;
  }

  private read(text: string): FaqMatch | null {
    const negated = this.negations.negatedWords(text).length > 0;
    const { ranked: intents, known } = this.classifier.read(text);
    const ranked = intents
      .map((s) => ({ entry: this.byId.get(s.intent), confidence: s.confidence }))
      .filter((s): s is { entry: FaqEntry; confidence: number } => s.entry !== undefined)
      .filter((s) => !(negated && s.entry.affirmative_only));
    const [best, ...rest] = ranked;
    return best ? { ...best, alternatives: rest.slice(0, 2), known } : null;
  }
}
