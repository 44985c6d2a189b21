import { createHash } from "node:crypto";
import type { Example } from "./corpus.ts";
import { FEATURES_VERSION } from "./features.ts";

/**
 * What a model was trained from: the examples, the abbreviations expanded in features and the
 * feature code itself. nlu/model.json carries it, so a model older than its corpus is caught.
 */
export function corpusHash(
  examples: readonly Example[],
  abbreviations: Readonly<Record<string, string>>,
): string {
  return createHash("sha256")
    .update(JSON.stringify([examples.map((e) => [e.intent, e.text]), abbreviations]))
    .update(`features v${FEATURES_VERSION}`)
    .digest("hex")
    .slice(0, 16);
}
