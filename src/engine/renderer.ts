import i18next, { type i18n } from "i18next";
import type { Campaign } from "./campaign-schema.ts";
import type { Button, Link } from "./flow-schema.ts";
import { LANGUAGES, type Language, type LocaleResources } from "./locales.ts";
import type { Reply } from "./reply.ts";
import type { Session } from "./session.ts";

/** The values a locale string or a flow condition can name. */
export interface TurnContext {
  slots: Record<string, unknown>;
  vars: Record<string, unknown>;
  campaign: Record<string, unknown>;
  session: { lang: Language; org?: string };
  item?: unknown;
}

/**
 * Turns locale keys into text with i18next, in the session's language, with campaign facts,
 * slots and action results as interpolation values ({{campaign.sms.keyword}},
 * {{slots.amount, vnd}}).
 */
export class Renderer {
  private readonly campaignViews: Record<Language, Record<string, unknown>>;

  private constructor(
    private readonly i18n: i18n,
    campaign: Campaign,
  ) {
    this.campaignViews = { vi: localize(campaign, "vi"), en: localize(campaign, "en") } as Record<Language, Record<string, unknown>>;
  }

  static async create(locales: LocaleResources, campaign: Campaign): Promise<Renderer> {
    const instance = i18next.createInstance();
    await instance.init({
      resources: Object.fromEntries(LANGUAGES.map((l) => [l, { translation: locales[l] }])),
      lng: "vi",
      fallbackLng: false,
      interpolation: { escapeValue: false }, // channels escape for their own markup
      returnNull: false,
      showSupportNotice: false,
    } as Parameters<typeof instance.init>[0]);
    instance.services.formatter?.add("vnd", (value: unknown, lng: string | undefined) => formatVnd(Number(value), lng === "en" ? "en" : "vi"));
    // {{slots.ward, dash}}: a skipped answer shows as "—" rather than nothing.
    instance.services.formatter?.add("dash", (value: unknown) => (value === undefined || value === null || value === "" ? "—" : String(value)));
    return new Renderer(instance, campaign);
  }

  context(session: Session, item?: unknown): TurnContext {
    return { slots: session.slots, vars: session.vars, campaign: this.campaignViews[session.lang], session: { lang: session.lang, org: session.org }, item };
  }

  /** Campaign facts as copy names them in one language. */
  campaignView(lang: Language): Record<string, unknown> {
    return this.campaignViews[lang];
  }

  /** Strings with nothing to fill in (button labels, most prompts), resolved once per language. */
  private readonly fixed = new Map<string, string | null>();

  text(key: string, lang: Language, values: Record<string, unknown>): string {
    const id = `${lang}:${key}`;
    let fixed = this.fixed.get(id);
    if (fixed === undefined) {
      const raw: unknown = this.i18n.getResource(lang, "translation", key);
      fixed = typeof raw === "string" && !raw.includes("{{") && !raw.includes("$t(") ? raw : null;
      this.fixed.set(id, fixed);
    }
    return fixed ?? this.i18n.t(key, { ...values, lng: lang });
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
    return buttons?.map((b) => ({ label: this.text(b.label, ctx.session.lang, ctx as unknown as Record<string, unknown>), payload: b.payload }));
  }

  links(links: Link[] | undefined, ctx: TurnContext): Reply["links"] {
    return links
      ?.map((l) => ({ label: this.text(l.label, ctx.session.lang, ctx as unknown as Record<string, unknown>), url: fillTemplate(l.url, ctx) }))
      .filter((l) => l.url.length > 0 && !l.url.includes("undefined"));
  }
}

/** Reads slots.amount, campaign.sms.keyword, item.bank ... from the context. */
export function resolvePath(ctx: TurnContext, path: string): unknown {
  let node: unknown = ctx;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function fillTemplate(template: string, ctx: TurnContext): string {
  return template.replace(/\{\{\s*([a-z0-9_.]+)\s*\}\}/g, (_, path: string) => String(resolvePath(ctx, path) ?? ""));
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
