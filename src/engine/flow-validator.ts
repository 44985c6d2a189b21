import { ACTION_VARS, ENGINE_VARS, type ActionName } from "./action.ts";
import { campaignDates, campaignToday } from "./campaign-today.ts";
import type { FlowBundle } from "./flow-loader.ts";
import type { Button, Flow, LoadedStep, Link } from "./flow-schema.ts";
import { LANGUAGES, allStrings, lookupKey } from "./locales.ts";
import { DEFAULT_SETUP } from "./setup.ts";
import { foldText, lowerText } from "./text-normalize.ts";

/** What the engine puts in `session` and `input` for copy and conditions. */
const SESSION_FIELDS = ["lang", "org", "flow"];
const INPUT_FIELDS = ["amount", "meant"];

/**
 * Semantic checks zod cannot express: every goto lands on a step, every called flow and FAQ
 * exists, every locale key exists in every language, every step can be reached, every action
 * is implemented, and every value a flow or a locale string reads exists: campaign facts in
 * campaign.yaml, slots some question asks, vars some action (or the engine) writes, today's
 * state (now.*) and the setup (setup.*). A typo in `slots.consent` would read as "not set".
 */
export function validateBundle(bundle: FlowBundle, actionNames: readonly string[]): string[] {
  const problems: string[] = [];
  const faqIds = new Set(bundle.faq.map((f) => f.id));
  // Each intent the classifier knows is answered by the FAQ entry of the same id, and is named on
  // the buttons that ask back when the bot is unsure ("Ý bạn là…?").
  for (const intent of bundle.nlu.intents) {
    if (!faqIds.has(intent))
      problems.push(`nlu/intents/${intent}.yaml: no entry "${intent}" in flows/faq.yaml answers this intent`);
    for (const lang of LANGUAGES)
      if (lookupKey(bundle.locales[lang], `intents.${intent}`) === undefined)
        problems.push(`nlu/intents/${intent}.yaml: no label "intents.${intent}" in locales/${lang}`);
  }
  if (bundle.nlu.stale)
    problems.push("nlu/model.json: older than nlu/intents (examples changed); run npm run nlu:train");
  const slots = new Set<string>();
  const vars = new Set<string>(ENGINE_VARS);
  for (const flow of bundle.flows.values())
    for (const step of flow.steps) {
      if (step.kind === "ask") slots.add(step.slot);
      if (step.kind === "set") for (const k of Object.keys(step.set)) slots.add(k);
      if (step.kind === "action") for (const v of ACTION_VARS[step.action as ActionName] ?? []) vars.add(v);
    }
  const today = campaignToday(bundle.campaign, new Date());
  /** Why `path` names nothing, or undefined when it names something. */
  const unknownPath = (path: string): string | undefined => {
    const [root, first, ...rest] = path.split(".");
    switch (root) {
      case "campaign":
        return campaignHas(bundle.campaign, path.slice(9))
          ? undefined
          : `campaign data has no "${path}" (flows/campaign.yaml)`;
      case "slots":
        return slots.has(first!)
          ? undefined
          : `no question asks for "${path}" (no ask step has slot: ${first})`;
      case "vars":
        return vars.has(first!)
          ? undefined
          : `nothing writes "${path}" (no action used in the flows sets it, nor the engine)`;
      case "now":
        return campaignHas(today, [first, ...rest].join("."))
          ? undefined
          : `today's campaign state has no "${path}" (now.* is ${Object.keys(today).join(", ")}; now.ways.* the ways_to_give in flows/campaign.yaml)`;
      case "setup":
        return first! in DEFAULT_SETUP && rest.length === 0
          ? undefined
          : `the setup has no "${path}" (setup.* is ${Object.keys(DEFAULT_SETUP).join(", ")})`;
      case "session":
        return SESSION_FIELDS.includes(first!) && rest.length === 0
          ? undefined
          : `a session has no "${path}" (session.* is ${SESSION_FIELDS.join(", ")})`;
      case "input":
        return INPUT_FIELDS.includes(first!) ? undefined : `a refused answer has no "${path}"`;
      default:
        return undefined; // item.*: the fields of the list being said
    }
  };

  const checkKey = (where: string, key: string) => {
    for (const lang of LANGUAGES) {
      if (lookupKey(bundle.locales[lang], key) === undefined)
        problems.push(`${where}: unknown locale key "${key}" (missing in locales/${lang})`);
    }
  };
  const checkFlowRef = (where: string, id: string) => {
    if (!bundle.flows.has(id)) problems.push(`${where}: unknown flow "${id}"`);
  };
  const checkPath = (where: string, path: string) => {
    const why = unknownPath(path);
    if (why) problems.push(`${where}: ${why}`);
  };
  const checkButtons = (where: string, buttons: Button[] | undefined, links: Link[] | undefined) => {
    for (const b of buttons ?? []) {
      checkKey(where, b.label);
      const [kind, target] = b.payload.split(":") as [string, string];
      if (kind === "flow") checkFlowRef(where, target.split("@")[0]!);
      if (b.arg) checkPath(where, b.arg);
      if (kind === "faq" && !faqIds.has(target))
        problems.push(`${where}: unknown FAQ "${target}" in button payload`);
      if (kind === "lang" && !(LANGUAGES as readonly string[]).includes(target))
        problems.push(`${where}: unknown language "${target}"`);
      if (kind === "cmd" && !["menu", "cancel", "back", "stop", "language", "resume"].includes(target))
        problems.push(`${where}: unknown command "${target}"`);
    }
    for (const l of links ?? []) {
      checkKey(where, l.label);
      for (const m of l.url.matchAll(/\{\{\s*([a-z0-9_.]+)\s*\}\}/g)) checkPath(where, m[1]!);
    }
  };

  for (const flow of bundle.flows.values()) {
    const ids = new Map<string, number>();
    for (const step of flow.steps) {
      if (ids.has(step.id))
        problems.push(`${flow.file}: flow "${flow.id}", step "${step.id}": duplicate step id`);
      ids.set(step.id, step.index);
    }
    for (const step of flow.steps) {
      const where = `${flow.file}: flow "${flow.id}", step "${step.id}"`;
      for (const target of jumpTargets(step))
        if (!ids.has(target)) problems.push(`${where}: unknown step "${target}"`);
      switch (step.kind) {
        case "say":
          checkKey(where, step.say);
          checkButtons(where, step.buttons, step.links);
          if (step.each) checkPath(where, step.each);
          if (step.links_from) checkPath(where, step.links_from);
          for (const p of Object.values(step.params ?? {})) checkPath(where, p);
          break;
        case "ask":
          checkKey(where, step.prompt);
          if (step.reask) checkKey(where, step.reask);
          for (const key of Object.values(step.reasks ?? {})) checkKey(where, key);
          for (const r of step.reask_when ?? []) checkKey(where, r.say);
          if (step.heard) checkKey(where, step.heard);
          if (step.corrected) {
            checkKey(where, step.corrected.say);
            if (!ids.has(step.corrected.until))
              problems.push(`${where}: corrected.until names unknown step "${step.corrected.until}"`);
          }
          for (const c of step.choices ?? []) {
            checkKey(where, c.label);
            // Compared folded: "👍" would fold to nothing and match "?" or "..." as well.
            for (const m of c.match ?? [])
              if (!foldText(m))
                problems.push(
                  `${where}: choice "${c.value}" match "${m}" has no letters or digits (it would match any punctuation)`,
                );
            if (c.when) checkPath(where, c.when.path);
          }
          checkButtons(where, step.buttons, undefined);
          for (const p of Object.values(step.params ?? {})) checkPath(where, p);
          break;
        case "branch":
          for (const b of step.branch) checkPath(where, b.when.path);
          break;
        case "call":
          checkFlowRef(where, step.call);
          break;
        case "start":
          checkFlowRef(where, step.start);
          break;
        case "action":
          if (!actionNames.includes(step.action))
            problems.push(`${where}: unknown action "${step.action}" (known: ${actionNames.join(", ")})`);
          for (const v of Object.values(step.with ?? {}))
            if (typeof v === "string" && /^(slots|vars|campaign|session|now|setup)\./.test(v))
              checkPath(where, v);
          break;
        case "clear":
          for (const c of step.clear) checkPath(where, c.includes(".") ? c : `slots.${c}`);
          break;
        default:
          break;
      }
    }
    for (const step of unreachableSteps(flow))
      problems.push(
        `${flow.file}: flow "${flow.id}", step "${step.id}": unreachable step (nothing falls through or jumps to it)`,
      );
  }

  for (const entry of bundle.faq) {
    const where = `flows/faq.yaml: entry "${entry.id}"`;
    if (entry.answer) checkKey(where, entry.answer);
    if (entry.call) checkFlowRef(where, entry.call);
    if (entry.start) checkFlowRef(where, entry.start);
    checkButtons(where, entry.buttons, entry.links);
    for (const p of Object.values(entry.params ?? {})) checkPath(where, p);
  }
  for (const [name, id] of Object.entries(bundle.commands.flows))
    checkFlowRef(`flows/commands.yaml: flows.${name}`, id);

  // Commands are compared folded outside free-text questions: a command word that folds like an
  // answer word would take that answer ("dừng" (stop) for "đúng" (right)).
  const answers = new Map<string, { list: string; word: string }>();
  for (const list of ["yes", "no", "skip"] as const)
    for (const word of bundle.commands[list]) if (foldText(word)) answers.set(foldText(word), { list, word });
  for (const [name, words] of Object.entries(bundle.commands.commands)) {
    for (const w of words) {
      const clash = answers.get(foldText(w));
      if (clash && lowerText(clash.word) !== lowerText(w))
        problems.push(
          `flows/commands.yaml: commands.${name} word "${w}" reads as the ${clash.list} word "${clash.word}" once diacritics are dropped`,
        );
    }
  }

  // Abbreviations are looked up by the folded word: a key with diacritics ("sđt") is never found.
  for (const key of Object.keys(bundle.commands.abbreviations)) {
    if (foldText(key) !== key)
      problems.push(
        `flows/commands.yaml: abbreviations key "${key}" is never matched: words are looked up without diacritics, write "${foldText(key)}"`,
      );
  }

  // Copy picks a way to give's wording by its name ($t(ways.{{item.state}}.{{item.method}})):
  // every way in campaign data needs it in every state, and a label for the pledge summary.
  for (const method of Object.keys(bundle.campaign.ways_to_give))
    for (const key of ["ready", "explain", "hidden", "next"].map((k) => `ways.${k}.${method}`))
      checkKey(`flows/campaign.yaml: ways_to_give.${method}`, key);
  for (const method of Object.keys(bundle.campaign.ways_to_give))
    checkKey(`flows/campaign.yaml: ways_to_give.${method}`, `pledge.method.${method}`);

  // Copy names values directly ({{campaign.sms.keyword}}, {{slots.amount}}): those must exist too.
  for (const lang of LANGUAGES) {
    for (const [key, text] of allStrings(bundle.locales[lang])) {
      for (const m of text.matchAll(/\{\{\s*((slots|vars|campaign|now|setup|session|input)\.[a-z0-9_.]+)/g)) {
        const why = unknownPath(m[1]!);
        if (why && m[2] === "campaign")
          problems.push(`locales/${lang}: "${key}" names ${m[1]}, which flows/campaign.yaml lacks`);
        else if (why) problems.push(`locales/${lang}: "${key}" names ${m[1]}: ${why}`);
      }
    }
  }
  return problems;
}

/**
 * What is valid but probably not meant, said by flows:check and at boot: campaign data whose
 * dates have all passed (last year's campaign, or the shipped 2019 sample, told as the latest).
 */
export function bundleWarnings(bundle: FlowBundle, now: Date): string[] {
  const warnings: string[] = [];
  const today = campaignToday(bundle.campaign, now);
  if (today.campaign === "over") {
    const last = campaignDates(bundle.campaign).at(-1)!;
    warnings.push(
      `flows/campaign.yaml: every campaign date is in the past (the last is ${last}, today is ${today.day} in Vietnam): the bot tells donors this campaign is over. Roll the data to this year's campaign (docs/campaign-data.md).`,
    );
  }
  return warnings;
}

function jumpTargets(step: LoadedStep): string[] {
  switch (step.kind) {
    case "goto":
      return [step.goto];
    case "branch":
      return [...step.branch.map((b) => b.goto), ...(step.else ? [step.else] : [])];
    case "ask":
      return step.on_fail ? [step.on_fail] : [];
    case "action":
      return step.on_error ? [step.on_error] : [];
    default:
      return [];
  }
}

function fallsThrough(step: LoadedStep): boolean {
  if (step.kind === "goto" || step.kind === "end" || step.kind === "start") return false;
  if (step.kind === "branch") return step.else === undefined;
  return true;
}

function unreachableSteps(flow: Flow): LoadedStep[] {
  const byId = new Map(flow.steps.map((s) => [s.id, s]));
  const seen = new Set<number>();
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.pop()!;
    const step = flow.steps[i];
    if (!step || seen.has(i)) continue;
    seen.add(i);
    if (fallsThrough(step)) queue.push(i + 1);
    for (const t of jumpTargets(step)) {
      const target = byId.get(t);
      if (target) queue.push(target.index);
    }
  }
  return flow.steps.filter((s) => !seen.has(s.index));
}

/** True when the dotted path exists in campaign data; a {vi, en} text counts as a leaf. */
export function campaignHas(campaign: unknown, path: string): boolean {
  let node: unknown = campaign;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || !(part in (node as object))) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}
