import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { STEP_KINDS, stepSchemas } from "../../src/engine/flow-schema.ts";

const doc = readFileSync(new URL("../../docs/flows.md", import.meta.url), "utf8");

/** The docs section of one step kind: from its "### `kind`" heading to the next heading. */
function section(kind: string): string {
  const start = doc.indexOf(`### \`${kind}\`\n`);
  if (start === -1) return "";
  const next = doc.indexOf("\n#", start + 1);
  return doc.slice(start, next === -1 ? undefined : next);
}

/** The options named in a section's table (the first column). */
function documented(kind: string): string[] {
  return [...section(kind).matchAll(/^\| `([a-z_]+)` *\|/gm)].map((m) => m[1]!);
}

describe("docs/flows.md", () => {
  it.each(STEP_KINDS)("documents every option of the %s step", (kind) => {
    const options = Object.keys((stepSchemas[kind] as z.ZodObject).shape);
    expect(section(kind), `no "### \`${kind}\`" section`).not.toBe("");
    expect(documented(kind).sort()).toEqual(options.sort());
  });

  it("documents no step kind the schema lacks", () => {
    const kinds = [...doc.matchAll(/^### `([a-z_]+)`$/gm)].map((m) => m[1]);
    expect(kinds).toEqual([...STEP_KINDS]);
  });
});
