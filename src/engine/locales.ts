import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const LANGUAGES = ["vi", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return value === "vi" || value === "en";
}

/** A nested object of strings per language, as i18next takes it. */
export type LocaleResources = Record<Language, Record<string, unknown>>;

/**
 * Reads locales/<lang>/<area>.json into one tree per language, so the key "pledge.ask_amount"
 * lives in locales/vi/pledge.json under "ask_amount". Staff edit copy there without TypeScript.
 */
export function loadLocales(dir: string): LocaleResources {
  const resources = {} as LocaleResources;
  for (const lang of LANGUAGES) {
    const langDir = join(dir, lang);
    const tree: Record<string, unknown> = {};
    for (const file of readdirSync(langDir)
      .filter((f) => f.endsWith(".json"))
      .sort()) {
      const path = join(langDir, file);
      if (!statSync(path).isFile()) continue;
      try {
        tree[file.slice(0, -5)] = JSON.parse(readFileSync(path, "utf8"));
      } catch (err) {
        throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
      }
    }
    resources[lang] = tree;
  }
  return resources;
}

/** The string at a dotted key, or undefined. */
export function lookupKey(tree: Record<string, unknown>, key: string): string | undefined {
  let node: unknown = tree;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === "string" ? node : undefined;
}

/** Every [key, string] pair in a tree. */
export function allStrings(tree: Record<string, unknown>, prefix = ""): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.push([key, v]);
    else if (v && typeof v === "object") out.push(...allStrings(v as Record<string, unknown>, key));
  }
  return out;
}
