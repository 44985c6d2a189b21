// npm run nlu:eval: how well the classifier reads messages it was not trained on.
//  - stratified 5-fold cross-validation on nlu/intents (scikit-learn, scripts/nlu_train.py cv);
//  - the held-out test file nlu/test/test.yaml (written apart from the corpus), read by the model
//    the bot uses (nlu/model.json).
// Prints per-intent precision, recall and F1, macro-F1, accuracy and the top confusions, and
// writes the whole report to nlu/eval-report.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTestSet } from "../src/nlu/corpus.ts";
import { evaluate, type Evaluation } from "../src/nlu/evaluate.ts";
import { loadNlu } from "../src/nlu/load-nlu.ts";
import { featureWordsIn, exampleFeatures } from "./nlu-features.ts";

const nluDir = process.env.NLU_DIR ?? "nlu";
const flowsDir = process.env.FLOWS_DIR ?? "flows";

function show(title: string, e: Evaluation): void {
  console.log(
    `\n${title}: ${e.examples} messages, accuracy ${e.accuracy.toFixed(3)}, macro-F1 ${e.macroF1.toFixed(3)}`,
  );
  console.log("intent                     P      R      F1   n");
  for (const f of e.perIntent)
    console.log(
      `${f.intent.padEnd(24)} ${f.precision.toFixed(3)}  ${f.recall.toFixed(3)}  ${f.f1.toFixed(3)}  ${f.support}`,
    );
  console.log("top confusions (expected → read as):");
  for (const c of e.confusions.slice(0, 10)) console.log(`  ${c.count} × ${c.expected} → ${c.predicted}`);
}

const { hash, corpus, examples } = exampleFeatures(nluDir, flowsDir);
const dir = mkdtempSync(join(tmpdir(), "nlu-eval-"));
writeFileSync(join(dir, "features.json"), JSON.stringify({ hash, examples }));
execFileSync("python3", ["scripts/nlu_train.py", "cv", join(dir, "features.json"), join(dir, "cv.json")], {
  stdio: "inherit",
});
const { predicted } = JSON.parse(readFileSync(join(dir, "cv.json"), "utf8")) as { predicted: string[] };
const cv = evaluate(corpus.map((example, i) => ({ example, predicted: predicted[i]!, confidence: 1 })));

const nlu = loadNlu(nluDir, featureWordsIn(flowsDir));
if (nlu.stale)
  console.warn("nlu:eval: nlu/model.json is older than nlu/intents; run npm run nlu:train first");
const test = evaluate(
  loadTestSet(join(nluDir, "test", "test.yaml")).map((example) => {
    const [top] = nlu.classifier.classify(example.text);
    return { example, predicted: top!.intent, confidence: top!.confidence };
  }),
);
show("5-fold cross-validation on nlu/intents", cv);
show("held-out test file nlu/test/test.yaml", test);
writeFileSync(
  join(nluDir, "eval-report.json"),
  `${JSON.stringify({ model: hash, crossValidation: cv, testFile: test }, null, 1)}\n`,
);
