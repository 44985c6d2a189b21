import i18next, { type i18n } from "i18next";
import type { Campaign } from "./campaign-schema.ts";
import { CampaignClock, type CampaignToday } from "./campaign-today.ts";
import { PAYLOAD_PATTERN, type Button, type Link } from "./flow-schema.ts";
import { LANGUAGES, type Language, type LocaleResources } from "./locales.ts";
import { nationalPhone } from "./phone.ts";
import type { Reply } from "./reply.ts";
import type { Session } from "./session.ts";
import { DEFAULT_SETUP, type Setup } from "./setup.ts";

export interface RendererOptions {
  /** The clock dated facts are told against (controllable in tests). */
  now?: () => Date;
  setup?: Setup;
}

/** The values a locale string or a flow condition can name. */
export interface TurnContext {
  slots: Record<string, unknown>;
  vars: Record<string, unknown>;
  campaign: Record<string, unknown>;
  /** The campaign as it stands today in Vietnam (now.sms: before, during, after). */
  now: CampaignToday;
  /** What this installation can do (setup.staff: here, direct). */
  setup: Setup;
  /** flow: the flow the person is in (a flow called for an answer reads what it was called from). */
  session: { lang: Language; org?: string; flow?: string };
  item?: unknown;
  /** What this turn's refused answer was read as (input.amount), for a reask that says it. */
  input?: Record<string, unknown>;
}

/**
 * Turns locale keys into text with i18next, in the session's language, with campaign facts,
 * slots and action results as interpolation values ({{campaign.sms.keyword}},
 * {{slots.amount, vnd}}).
 */
export class Renderer {
  private readonly campaignViews: Record<Language, Record<string, unknown>>;

  private readonly clock: CampaignClock;

  private constructor(
    private readonly i18n: i18n,
    campaign: Campaign,
    options: RendererOptions,
  ) {
    this.clock = new CampaignClock(campaign, options.now ?? (() => new Date()));
    this.setup = options.setup ?? DEFAULT_SETUP;
    this.campaignViews = { vi: localize(campaign, "vi"), en: localize(campaign, "en") } as Record<
      Language,
      Record<string, unknown>
    >;
  }

  private readonly setup: Setup;

  static async create(
    locales: LocaleResources,
    campaign: Campaign,
    options: RendererOptions = {},
  ): Promise<Renderer> {
    const instance = i18next.createInstance();
    await instance.init({
      resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: locales[l] }])),
      lng: "vi",
      fallbackLng: false,
      interpolation: { escapeValue: false }, // channels escape for their own markup
      returnNull: false,
      showSupportNotice: false,
    } as Parameters<typeof instance.init>[0]);
    instance.services.formatter?.add("vnd", (value: unknown, lng: string | undefined) =>
      formatVnd(Number(value), lng === "en" ? "en" : "vi"),
    );
    // {{slots.ward, dash}}: a skipped answer shows as "—" rather than nothing.
    instance.services.formatter?.add("dash", (value: unknown) =>
      value === undefined || value === null || value === "" ? "—" : String(value),
    );
    // {{slots.phone, phone}}: a stored +84… number as the person wrote it (0912 345 678), or "—".
    instance.services.formatter?.add("phone", (value: unknown) =>
      value === undefined || value === null || value === "" ? "—" : nationalPhone(String(value)),
    );
    return new Renderer(instance, campaign, options);
  }

  context(session: Session, item?: unknown): TurnContext {
    return {
      slots: session.slots,
      vars: session.vars,
      campaign: this.campaignViews[session.lang],
      now: this.clock.today(),
      setup: this.setup,
      session: { lang: session.lang, org: session.org, flow: session.stack[0]?.flow },
      item,
    };
  }

  /** Campaign facts as copy names them in one language. */
  campaignView(lang: Language): Record<string, unknown> {
    return this.campaignViews[lang];
  }

  /** What copy outside a conversation may name: campaign facts, today's state, the setup. */
  baseValues(lang: Language): Record<string, unknown> {
    return { campaign: this.campaignViews[lang], now: this.clock.today(), setup: this.setup };
  }

  /**
   * Locale strings compiled once per language: plain text, or literal parts and
   * {{path}} / {{path, vnd}} / {{path, dash}} / {{path, phone}} slots filled without going through i18next's
   * translate pipeline on every turn (it was the engine's largest cost). Anything else
   * ($t() nesting, other formats) is rendered by i18next itself; a test checks both agree on
   * every key.
   */
  private readonly compiled = new Map<string, Template | null>();

  text(key: string, lang: Language, values: Record<string, unknown>): string {
    const id = `${lang}:${key}`;
    let template = this.compiled.get(id);
    if (template === undefined) {
      template = compile(this.i18n.getResource(lang, "translation", key));
      this.compiled.set(id, template);
    }
    if (template === null) return this.reference(key, lang, values);
    if (typeof template === "string") return template;
    let out = "";
    for (const part of template) {
      if (typeof part === "string") out += part;
      else if ("nest" in part) {
        // $t(pledge.method.{{item.method}}): the key's slots are filled, then that key rendered.
        let nested = "";
        for (const k of part.nest) {
          if (typeof k === "string") nested += k;
          else if (valueAt(k.path, values) === undefined) return this.reference(key, lang, values);
          else nested += fill(k, values, lang);
        }
        out += this.text(nested, lang, values);
      } else out += fill(part, values, lang);
    }
    return out;
  }

  /** i18next's own rendering of a key (the compiled templates must agree with it). */
  reference(key: string, lang: Language, values: Record<string, unknown>): string {
    return this.i18n.t(key, { ...values, lng: lang });
  }

  has(key: string, lang: Language): boolean {
    return typeof this.i18n.getResource(lang, "translation", key) === "string";
  }

  /** Renders a key with a step's params (name → path) resolved against the context. */
  say(key: string, ctx: TurnContext, params?: Record<string, string>, extra?: Partial<Reply>): Reply {
    const values: Record<string, unknown> = { ...ctx };
    for (const [name, path] of Object.entries(params ?? {})) values[name] = resolvePath(ctx, path);
    return { text: this.text(key, ctx.session.lang, values), ...extra };
  }

  buttons(buttons: Button[] | undefined, ctx: TurnContext): Reply["buttons"] {
    return buttons?.map((b) => ({
      label: this.text(b.label, ctx.session.lang, ctx as unknown as Record<string, unknown>),
      payload: b.arg ? withArg(b.payload, resolvePath(ctx, b.arg), b.arg) : b.payload,
    }));
  }

  links(links: Link[] | undefined, ctx: TurnContext): Reply["links"] {
    return links
      ?.map((l) => ({
        label: this.text(l.label, ctx.session.lang, ctx as unknown as Record<string, unknown>),
        url: fillTemplate(l.url, ctx),
      }))
      .filter((l) => l.url.length > 0 && !l.url.includes("undefined"));
  }
}

type Slot = { path: string[]; format?: "vnd" | "dash" | "phone"; raw: string };
type Nest = { nest: Array<string | Slot> };
type Template = string | Array<string | Slot | Nest>;

const SLOT = /\{\{\s*([A-Za-z0-9_.]+)\s*(?:,\s*(vnd|dash|phone)\s*)?\}\}/g;

/** A locale string as a template; null when i18next must render it (other syntax). */
function compile(raw: unknown): Template | null {
  if (typeof raw !== "string") return null;
  const parts: Array<string | Slot | Nest> = [];
  let at = 0;
  for (const m of raw.matchAll(/\$t\(([^()]*)\)/g)) {
    const before = slots(raw.slice(at, m.index));
    const key = slots(m[1]!);
    if (!before || !key || key.some((k) => typeof k !== "string" && k.format)) return null;
    parts.push(...before, { nest: key });
    at = m.index + m[0].length;
  }
  const rest = slots(raw.slice(at));
  if (!rest) return null;
  parts.push(...rest);
  if (parts.length === 0) return "";
  return parts.length === 1 && typeof parts[0] === "string" ? parts[0] : parts;
}

/** Literal text and {{path}} slots; null when something else in braces is there. */
function slots(text: string): Array<string | Slot> | null {
  const parts: Array<string | Slot> = [];
  let at = 0;
  for (const m of text.matchAll(SLOT)) {
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push({ path: m[1]!.split("."), format: m[2] as Slot["format"], raw: m[0] });
    at = m.index + m[0].length;
  }
  const rest = text.slice(at);
  if (rest.includes("{{") || rest.includes("$t(")) return null;
  if (rest) parts.push(rest);
  return parts;
}

function valueAt(path: string[], values: Record<string, unknown>): unknown {
  let node: unknown = values;
  for (const part of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function fill(slot: Slot, values: Record<string, unknown>, lang: Language): string {
  const node = valueAt(slot.path, values);
  if (node === undefined) return slot.raw; // i18next leaves a missing value's placeholder as written
  if (node === null) return ""; // and writes null as nothing, formatter or not
  if (slot.format === "vnd") return formatVnd(Number(node), lang);
  if (slot.format === "dash") return node === "" ? "—" : String(node);
  if (slot.format === "phone") return node === "" ? "—" : nationalPhone(String(node));
  return String(node);
}

/** A flow payload with its argument; an argument that would not fit a payload is a flow bug, said where. */
function withArg(payload: string, value: unknown, path: string): string {
  const out = `${payload}@${String(value ?? "").toLowerCase()}`;
  if (!PAYLOAD_PATTERN.test(out))
    throw new Error(
      `renderer: button ${payload}: ${path} = ${JSON.stringify(value)} is not a payload argument (1-16 of a-z, 0-9, -)`,
    );
  return out;
}

/** Reads slots.amount, campaign.sms.keyword, item.bank ... from the context. */
export function resolvePath(ctx: TurnContext, path: string): unknown {
  return valueAt(path.split("."), ctx as unknown as Record<string, unknown>);
}

function fillTemplate(template: string, ctx: TurnContext): string {
  return template.replace(/\{\{\s*([a-z0-9_.]+)\s*\}\}/g, (_, path: string) =>
    String(resolvePath(ctx, path) ?? ""),
  );
}

// Built once: creating an Intl.NumberFormat costs more than the rest of a message's rendering.
const NUMBER_FORMATS = { vi: new Intl.NumberFormat("vi-VN"), en: new Intl.NumberFormat("en-US") };

/** 500000 → "500.000 đ" (vi) or "500,000 VND" (en). */
export function formatVnd(amount: number, lang: Language): string {
  if (!Number.isFinite(amount)) return "";
  return lang === "vi" ? `${NUMBER_FORMATS.vi.format(amount)} đ` : `${NUMBER_FORMATS.en.format(amount)} VND`;
}

/** A campaign view for one language: {vi, en} texts picked, ISO dates shown as dd/mm/yyyy. */
function localize(value: unknown, lang: Language): unknown {
  if (typeof value === "string") {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
  }
  if (Array.isArray(value)) return value.map((v) => localize(v, lang));
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 2 && typeof obj.vi === "string" && typeof obj.en === "string") return obj[lang];
    return Object.fromEntries(keys.map((k) => [k, localize(obj[k], lang)]));
  }
  return value;
}
