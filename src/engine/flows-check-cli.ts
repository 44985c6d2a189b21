import { ACTION_NAMES } from "./action.ts";
import { FlowValidationError, defaultDirs, loadFlowBundle } from "./flow-loader.ts";
import { bundleWarnings } from "./flow-validator.ts";

/** `npm run flows:check`: the same validation the bot runs at boot, for staff who edit flows. */
const { flowsDir, localesDir } = defaultDirs();
try {
  const bundle = loadFlowBundle(
    process.env.FLOWS_DIR ?? flowsDir,
    process.env.LOCALES_DIR ?? localesDir,
    ACTION_NAMES,
    process.env.NLU_DIR ?? "nlu",
  );
  for (const warning of bundleWarnings(bundle, new Date())) console.warn(`warning: ${warning}`);
  console.log(
    `flows OK: ${bundle.flows.size} flows, ${bundle.faq.length} FAQ entries, locales vi and en complete`,
  );
} catch (err) {
  console.error(err instanceof FlowValidationError ? err.message : err);
  process.exit(1);
}
