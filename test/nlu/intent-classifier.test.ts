import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, loadTestSet } from "../../src/nlu/corpus.ts";
import { evaluate } from "../../src/nlu/evaluate.ts";
import { loadNlu } from "../../src/nlu/load-nlu.ts";
import { featureWordsIn } from "../../scripts/nlu-features.ts";

const nlu = loadNlu("nlu", featureWordsIn("flows"));

describe("the intent classifier", () => {
  it("was trained from the examples in nlu/intents as they are (npm run nlu:train)", () => {
    expect(nlu.stale).toBe(false);
    expect([...nlu.classifier.intents].sort()).toEqual(nlu.intents);
  });

  it("reads the held-out test file at or above the macro-F1 floor recorded in nlu/test/floor.json", () => {
    const floor = (JSON.parse(readFileSync("nlu/test/floor.json", "utf8")) as { macroF1: number }).macroF1;
    const figures = evaluate(
      loadTestSet("nlu/test/test.yaml").map((example) => {
        const [top] = nlu.classifier.classify(example.text);
        return { example, predicted: top!.intent, confidence: top!.confidence };
      }),
    );
    expect(figures.examples).toBeGreaterThan(400);
    expect(figures.macroF1).toBeGreaterThanOrEqual(floor);
  });

  it("is sure of a plain question and unsure of a message that says nothing", () => {
    const [plain] = nlu.classifier.classify("số tài khoản của quỹ là gì vậy ad");
    expect(plain).toMatchObject({ intent: "bank_account" });
    expect(plain!.confidence).toBeGreaterThan(0.6);
    const [noise] = nlu.classifier.classify("xyzzy qwerty");
    expect(noise!.confidence).toBeLessThan(0.5);
  });
});

describe("the corpus files", () => {
  const corpus = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "nlu-corpus-"));
    mkdirSync(join(dir, "intents"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "intents", name), text);
    return dir;
  };

  it("reads marked entities and keeps their words in the text", () => {
    const dir = corpus({
      "pledge_intent.yaml": "intent: pledge_intent\nexamples:\n  - ủng hộ [500k](amount) nhé\n",
    });
    expect(loadCorpus(dir)).toEqual([
      { intent: "pledge_intent", text: "ủng hộ 500k nhé", entities: [{ entity: "amount", value: "500k" }] },
    ]);
  });

  it("refuses the same words under two intents, an unknown entity, and a file named for another intent", () => {
    expect(() =>
      loadCorpus(
        corpus({
          "affirm.yaml": "intent: affirm\nexamples: [được á]\n",
          "deny.yaml": "intent: deny\nexamples: [duoc a]\n",
        }),
      ),
    ).toThrow(/deny\.yaml: "duoc a" is already an example of affirm/);
    expect(() =>
      loadCorpus(corpus({ "affirm.yaml": "intent: affirm\nexamples: ['[x](colour)']\n" })),
    ).toThrow(/unknown entity "colour"/);
    expect(() => loadCorpus(corpus({ "affirm.yaml": "intent: deny\nexamples: [không]\n" }))).toThrow(
      /must be in deny\.yaml/,
    );
  });
});
