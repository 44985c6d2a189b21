import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { loadCorpus } from "./corpus.ts";
import { corpusHash } from "./corpus-hash.ts";
import type { FeatureWords } from "./features.ts";
import { IntentClassifier, intentModelSchema } from "./intent-classifier.ts";

/** The trained classifier of nlu/, and whether it is older than the examples it should know. */
export interface LoadedNlu {
  classifier: IntentClassifier;
  /** The examples changed since the model was trained: `npm run nlu:train`. */
  stale: boolean;
  /** The intents with examples in nlu/intents. */
  intents: string[];
}

/** Reads nlu/intents (validated) and nlu/model.json; throws, naming the file, when either is unusable. */
export function loadNlu(nluDir: string, forms: FeatureWords): LoadedNlu {
  const examples = loadCorpus(nluDir);
  const path = join(nluDir, "model.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message} (build it with npm run nlu:train)`);
  }
  const parsed = intentModelSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
  return {
    classifier: new IntentClassifier(parsed.data, forms),
    stale: parsed.data.hash !== corpusHash(examples, forms),
    intents: [...new Set(examples.map((e) => e.intent))].sort(),
  };
}
