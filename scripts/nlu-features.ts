import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { commandsFileSchema } from "../src/engine/flow-schema.ts";
import { loadCorpus, type Example } from "../src/nlu/corpus.ts";
import { corpusHash } from "../src/nlu/corpus-hash.ts";
import { featuresOf, type FeatureWords } from "../src/nlu/features.ts";

/** The words of flows/commands.yaml that the features follow (abbreviations, distinct words…). */
export function featureWordsIn(flowsDir: string): FeatureWords {
  return commandsFileSchema.parse(parse(readFileSync(join(flowsDir, "commands.yaml"), "utf8")));
}

/** Each example of nlu/intents with its features, as scripts/nlu_train.py learns from them. */
export function exampleFeatures(nluDir: string, flowsDir: string) {
  const forms = featureWordsIn(flowsDir);
  const corpus: Example[] = loadCorpus(nluDir);
  return {
    hash: corpusHash(corpus, forms),
    corpus,
    examples: corpus.map((e) => ({ intent: e.intent, features: featuresOf(e.text, forms) })),
  };
}
