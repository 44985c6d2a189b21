import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { foldText } from "../engine/text-normalize.ts";

export const ENTITIES = ["amount", "phone", "method", "name", "reference"] as const;
export type EntityName = (typeof ENTITIES)[number];

/** One labelled message: its text as typed, its intent, and the entities marked in it. */
export interface Example {
  intent: string;
  text: string;
  entities: { entity: EntityName; value: string }[];
}

const INTENT_ID = /^[a-z][a-z0-9_]*$/;
const MARKUP = /\[([^\]]+)\]\(([a-z]+)\)/g;

const IntentFile = z.strictObject({
  intent: z.string().regex(INTENT_ID),
  examples: z.array(z.string().trim().min(1)).min(1),
});

const TestFile = z.strictObject({
  examples: z.array(z.strictObject({ intent: z.string().regex(INTENT_ID), text: z.string().trim().min(1) })),
});

/** "tôi ủng hộ [500k](amount)" → the text without markup, and its entities. */
export function unmark(marked: string, where: string): Omit<Example, "intent"> {
  const entities: Example["entities"] = [];
  const text = marked.replace(MARKUP, (_all, value: string, entity: string) => {
    if (!(ENTITIES as readonly string[]).includes(entity))
      throw new Error(`${where}: unknown entity "${entity}" in "${marked}" (known: ${ENTITIES.join(", ")})`);
    entities.push({ entity: entity as EntityName, value });
    return value;
  });
  return { text, entities };
}

/** Reads `nlu/intents/*.yaml`: one file per intent, no example twice, none under two
 * intents (compared without case and diacritics). */
export function loadCorpus(dir: string): Example[] {
  const files = readdirSync(join(dir, "intents"))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const seen = new Map<string, string>();
  const written = new Set<string>();
  const out: Example[] = [];
  for (const file of files) {
    const where = `nlu/intents/${file}`;
    const parsed = IntentFile.safeParse(parse(readFileSync(join(dir, "intents", file), "utf8")));
    if (!parsed.success) throw new Error(`${where}: ${z.prettifyError(parsed.error)}`);
    if (`${parsed.data.intent}.yaml` !== file)
      throw new Error(`${where}: the intent "${parsed.data.intent}" must be in ${parsed.data.intent}.yaml`);
    for (const marked of parsed.data.examples) {
      const example = { intent: parsed.data.intent, ...unmark(marked, where) };
      // The same words under two intents teach nothing; written twice under one, once is enough.
      const key = foldText(example.text);
      const before = written.has(example.text) ? example.intent : seen.get(key);
      if (before !== undefined && (before !== example.intent || written.has(example.text)))
        throw new Error(`${where}: "${example.text}" is already an example of ${before}; keep it once`);
      written.add(example.text);
      seen.set(key, example.intent);
      out.push(example);
    }
  }
  if (out.length === 0) throw new Error(`nlu: no examples in ${join(dir, "intents")}`);
  return out;
}

/** The held-out test file, never used for training. */
export function loadTestSet(path: string): Example[] {
  const parsed = TestFile.safeParse(parse(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
  return parsed.data.examples.map((e) => ({ intent: e.intent, ...unmark(e.text, path) }));
}
