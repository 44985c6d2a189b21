import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { commandsFileSchema } from "../src/engine/flow-schema.ts";
import { loadCorpus, type Example } from "../src/nlu/corpus.ts";
import { corpusHash } from "../src/nlu/corpus-hash.ts";
import { featuresOf } from "../src/nlu/features.ts";

/** The abbreviations of flows/commands.yaml, which the features expand. */
export function abbreviationsIn(flowsDir: string): Record<string, string> {
  return commandsFileSchema.parse(parse(readFileSync(join(flowsDir, "commands.yaml"), "utf8"))).abbreviations;
}

/** Each example of nlu/intents with its features, as scripts/nlu_train.py learns from them. */
export function exampleFeatures(nluDir: string, flowsDir: string) {
  const abbreviations = abbreviationsIn(flowsDir);
  const corpus: Example[] = loadCorpus(nluDir);
  return {
    hash: corpusHash(corpus, abbreviations),
    corpus,
    examples: corpus.map((e) => ({ intent: e.intent, features: featuresOf(e.text, abbreviations) })),
  };
}
