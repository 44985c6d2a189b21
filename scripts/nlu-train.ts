// Builds nlu/model.json from nlu/intents with scikit-learn (scripts/nlu_train.py):
//   npm run nlu:train        (needs python3 with scikit-learn: pip install -r nlu/requirements.txt)
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleFeatures } from "./nlu-features.ts";

const nluDir = process.env.NLU_DIR ?? "nlu";
const { hash, examples } = exampleFeatures(nluDir, process.env.FLOWS_DIR ?? "flows");
const file = join(mkdtempSync(join(tmpdir(), "nlu-")), "features.json");
writeFileSync(file, JSON.stringify({ hash, examples }));
execFileSync("python3", ["scripts/nlu_train.py", "train", file, join(nluDir, "model.json")], {
  stdio: "inherit",
});
