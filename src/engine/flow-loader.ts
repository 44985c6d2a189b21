import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { campaignSchema, type Campaign } from "./campaign-schema.ts";
import {
  STEP_KINDS,
  commandsFileSchema,
  faqFileSchema,
  flowFileSchema,
  stepSchemas,
  type Commands,
  type FaqEntry,
  type Flow,
  type LoadedStep,
  type StepKind,
} from "./flow-schema.ts";
import { loadLocales, type LocaleResources } from "./locales.ts";
import { validateBundle } from "./flow-validator.ts";
import { loadNlu, type LoadedNlu } from "../nlu/load-nlu.ts";

/** Everything the engine runs from: flows, campaign facts, FAQ, commands and copy. */
export interface FlowBundle {
  flows: Map<string, Flow>;
  campaign: Campaign;
  faq: FaqEntry[];
  commands: Commands;
  locales: LocaleResources;
  /** The intent classifier trained on nlu/ (its examples and model). */
  nlu: LoadedNlu;
}

/** Thrown when flows, campaign data or locales are invalid; lists every problem found. */
export class FlowValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Flow validation failed (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "FlowValidationError";
  }
}

const SPECIAL_FILES = new Set(["campaign.yaml", "faq.yaml", "commands.yaml"]);

/**
 * Loads flows/*.yaml and locales/, validates them with zod and the semantic checks
 * (unknown step, unknown locale key, unreachable step, bad slot type, unknown action),
 * and throws a FlowValidationError naming file, flow and step for each problem.
 */
export function loadFlowBundle(
  flowsDir: string,
  localesDir: string,
  actionNames: readonly string[],
  nluDir = "nlu",
): FlowBundle {
  const problems: string[] = [];
  const read = <T>(file: string, schema: z.ZodType<T>): T | undefined => {
    const path = join(flowsDir, file);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, "utf8"));
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message.split("\n")[0]}`);
      return undefined;
    }
    const result = schema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues)
        problems.push(`${path}: at ${issue.path.join(".") || "(top)"}: ${issue.message}`);
      return undefined;
    }
    return result.data;
  };

  const campaign = read("campaign.yaml", campaignSchema);
  const commands = read("commands.yaml", commandsFileSchema);
  const faqFile = read("faq.yaml", faqFileSchema);

  const flows = new Map<string, Flow>();
  const flowFiles = readdirSync(flowsDir)
    .filter((f) => f.endsWith(".yaml") && !SPECIAL_FILES.has(f))
    .sort();
  for (const file of flowFiles) {
    const parsed = read(file, flowFileSchema);
    if (!parsed) continue;
    const path = join(flowsDir, file);
    for (const [id, def] of Object.entries(parsed.flows)) {
      if (flows.has(id)) {
        problems.push(`${path}: flow "${id}" is also defined in ${flows.get(id)!.file}`);
        continue;
      }
      flows.set(id, {
        id,
        file: path,
        steps: def.steps
          .map((raw, index) => loadStep(path, id, raw, index, problems))
          .filter((s): s is LoadedStep => s !== null),
      });
    }
  }

  let locales: LocaleResources | undefined;
  try {
    locales = loadLocales(localesDir);
  } catch (err) {
    problems.push((err as Error).message);
  }

  let nlu: LoadedNlu | undefined;
  if (commands) {
    try {
      nlu = loadNlu(nluDir, commands);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }

  if (problems.length === 0 && campaign && commands && faqFile && locales && nlu) {
    const bundle: FlowBundle = { flows, campaign, faq: faqFile.faq, commands, locales, nlu };
    problems.push(...validateBundle(bundle, actionNames));
    if (problems.length === 0) return bundle;
  }
  throw new FlowValidationError(problems);
}

function loadStep(
  file: string,
  flowId: string,
  raw: Record<string, unknown>,
  index: number,
  problems: string[],
): LoadedStep | null {
  const label = `${file}: flow "${flowId}", step ${typeof raw.id === "string" ? `"${raw.id}"` : `#${index + 1}`}`;
  const kinds = STEP_KINDS.filter((k) => k in raw);
  if (kinds.length !== 1) {
    problems.push(
      `${label}: a step needs exactly one of ${STEP_KINDS.join(", ")} (found ${kinds.length ? kinds.join(", ") : "none"})`,
    );
    return null;
  }
  const kind = kinds[0] as StepKind;
  const result = stepSchemas[kind].safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
      const detail =
        kind === "ask" && issue.path[0] === "ask"
          ? `bad slot type "${String(raw.ask)}" (expected one of amount, phone, name, text, choice, yesno)`
          : issue.message;
      problems.push(`${label}${where}: ${detail}`);
    }
    return null;
  }
  const data = result.data as Record<string, unknown>;
  return { ...data, kind, id: (data.id as string | undefined) ?? `#${index + 1}`, index } as LoadedStep;
}

/** Loads the bundle from the default folders of a checkout. */
export function defaultDirs(root = process.cwd()): { flowsDir: string; localesDir: string } {
  return { flowsDir: join(root, "flows"), localesDir: join(root, "locales") };
}
