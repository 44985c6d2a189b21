import { z } from "zod";
import { featuresOf, type FeatureWords } from "./features.ts";

/** An intent and how sure the classifier is of it (0..1; all of a message's sum to 1). */
export interface IntentScore {
  intent: string;
  confidence: number;
}

/** nlu/model.json, written by `npm run nlu:train` (scikit-learn, scripts/nlu_train.py). */
export const intentModelSchema = z.object({
  /** The hash of the examples it was trained from (corpusHash): a stale model is told apart. */
  hash: z.string(),
  intents: z.array(z.string()).min(2),
  features: z.array(z.string()),
  idf: z.array(z.number()),
  bias: z.array(z.number()),
  scale: z.array(z.number()),
  /** Signed bytes, base64, feature-major: feature f's weights are bytes f*intents … (f+1)*intents. */
  weights: z.string(),
});
export type IntentModelData = z.infer<typeof intentModelSchema>;

/**
 * Applies the trained model to a message: its features (features.ts) weighted by TF-IDF and
 * normalised, as scikit-learn did in training, then the logistic regression's scores, turned
 * into confidences by softmax. One pass over the message's features: a few microseconds.
 */
export class IntentClassifier {
  private readonly index: Map<string, number>;
  private readonly weights: Int8Array;

  constructor(
    readonly model: IntentModelData,
    private readonly forms: FeatureWords,
  ) {
    const n = model.intents.length;
    if (model.idf.length !== model.features.length || model.bias.length !== n || model.scale.length !== n)
      throw new Error(
        "nlu/model.json: features, idf, bias and scale do not fit together; run npm run nlu:train",
      );
    this.index = new Map(model.features.map((f, i) => [f, i]));
    const bytes = Buffer.from(model.weights, "base64");
    if (bytes.length !== model.features.length * n)
      throw new Error("nlu/model.json: the weights do not fit the features; run npm run nlu:train");
    this.weights = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  get intents(): readonly string[] {
    return this.model.intents;
  }

  /** Every intent, likeliest first. */
  classify(text: string): IntentScore[] {
    return this.read(text).ranked;
  }

  /**
   * Every intent, likeliest first, and whether the text has a word the model learnt ("xyz 123"
   * has none: not worth asking back about).
   */
  read(text: string): { ranked: IntentScore[]; known: boolean } {
    const { intents, idf, bias, scale } = this.model;
    const n = intents.length;
    const present: number[] = [];
    let norm = 0;
    let known = false;
    for (const f of featuresOf(text, this.forms)) {
      const at = this.index.get(f);
      if (at === undefined) continue;
      present.push(at);
      norm += idf[at]! * idf[at]!;
      known ||= f.startsWith("w:") && !f.startsWith("w:zz");
    }
    norm = Math.sqrt(norm) || 1;
    const raw = new Float64Array(n);
    for (const at of present) {
      const x = idf[at]! / norm;
      const base = at * n;
      for (let i = 0; i < n; i++) raw[i]! += x * this.weights[base + i]!;
    }
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      raw[i] = bias[i]! + raw[i]! * scale[i]!;
      if (raw[i]! > max) max = raw[i]!;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      raw[i] = Math.exp(raw[i]! - max);
      total += raw[i]!;
    }
    const ranked = intents
      .map((intent, i) => ({ intent, confidence: raw[i]! / total }))
      .sort((a, b) => b.confidence - a.confidence);
    return { ranked, known };
  }
}
