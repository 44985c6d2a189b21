import type { Example } from "./corpus.ts";

/** Precision, recall and F1 of one intent over a set of predictions. */
export interface IntentFigures {
  intent: string;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  examples: number;
  accuracy: number;
  macroF1: number;
  perIntent: IntentFigures[];
  /** Most frequent (expected → predicted) mistakes. */
  confusions: { expected: string; predicted: string; count: number }[];
  /** The misread messages, for a person to look at. */
  errors: { text: string; expected: string; predicted: string; confidence: number }[];
}

export interface Prediction {
  example: Example;
  predicted: string;
  confidence: number;
}

/** Figures for a list of predictions; intents without support or predictions are left out of the macro mean. */
export function evaluate(predictions: readonly Prediction[]): Evaluation {
  const intents = [...new Set(predictions.flatMap((p) => [p.example.intent, p.predicted]))].sort();
  const perIntent = intents
    .map((intent) => {
      const tp = predictions.filter((p) => p.example.intent === intent && p.predicted === intent).length;
      const support = predictions.filter((p) => p.example.intent === intent).length;
      const predicted = predictions.filter((p) => p.predicted === intent).length;
      const precision = predicted > 0 ? tp / predicted : 0;
      const recall = support > 0 ? tp / support : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      return { intent, support, precision, recall, f1 };
    })
    .filter((f) => f.support > 0);
  const wrong = predictions.filter((p) => p.predicted !== p.example.intent);
  const counts = new Map<string, number>();
  for (const p of wrong) {
    const key = `${p.example.intent} → ${p.predicted}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return {
    examples: predictions.length,
    accuracy: predictions.length > 0 ? 1 - wrong.length / predictions.length : 0,
    macroF1: perIntent.reduce((s, f) => s + f.f1, 0) / Math.max(1, perIntent.length),
    perIntent,
    confusions: [...counts]
      .map(([key, count]) => {
        const [expected, predicted] = key.split(" → ") as [string, string];
        return { expected, predicted, count };
      })
      .sort((a, b) => b.count - a.count)
      .slice(0, 15),
    errors: wrong.map((p) => ({
      text: p.example.text,
      expected: p.example.intent,
      predicted: p.predicted,
      confidence: Number(p.confidence.toFixed(3)),
    })),
  };
}

/**
 * Stratified folds: each intent's examples are dealt round-robin (after a seeded shuffle), so every
 * fold holds about 1/k of every intent.
 */
export function stratifiedFolds(examples: readonly Example[], k: number, seed = 1): Example[][] {
  const folds: Example[][] = Array.from({ length: k }, () => []);
  const byIntent = new Map<string, Example[]>();
  for (const e of examples) byIntent.set(e.intent, [...(byIntent.get(e.intent) ?? []), e]);
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: a fixed seed gives the same folds on every run.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  let next = 0;
  for (const intent of [...byIntent.keys()].sort()) {
    const list = [...byIntent.get(intent)!];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    for (const e of list) folds[next++ % k]!.push(e);
  }
  return folds;
}
