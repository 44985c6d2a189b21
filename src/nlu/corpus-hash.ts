import { createHash } from "node:crypto";
import type { Example } from "./corpus.ts";
import { FEATURES_VERSION, type FeatureWords } from "./features.ts";

/**
 * What a model was trained from: the examples, the words of commands.yaml the features
 * follow and the
 * feature code itself. nlu/model.json carries it, so a model older than its corpus is caught.
 */
export function corpusHash(examples: readonly Example[], forms: FeatureWords): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        examples.map((e) => [e.intent, e.text]),
        forms.abbreviations,
        forms.distinct_words,
        forms.context_phrases,
      ]),
    )
    .update(`features v${FEATURES_VERSION}`)
    .digest("hex")
    .slice(0, 16);
}
