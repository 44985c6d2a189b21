import { timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import type { App } from "../app.ts";
import { isLanguage, type Language } from "../engine/locales.ts";
import type { Handler, HttpRequest, HttpResponse } from "../http/http-server.ts";
import { SharedSecret } from "../http/shared-secret.ts";
import { validated, type Validated } from "../http/validated.ts";
import { StoreUnavailableError } from "../records/ports.ts";
import { StaffAccounts, roleAllows, type StaffRole } from "../staff/staff-accounts.ts";
import { StaffSessions, credentialOf } from "../staff/staff-sessions.ts";

/** Who is asking: a staff member logged in to the console, or a script with the admin token. */
export interface StaffMember {
  /** As the audit log names them: "staff:Lan", "admin-api", "admin-api:cron". */
  actor: string;
  role: StaffRole;
  /** The language refusals and statuses are given in. */
  lang: Language;
  via: "session" | "token";
  /** The signed-in person's name (console sessions). */
  name?: string;
}

export type StaffHandler = (req: HttpRequest, who: StaffMember) => Promise<HttpResponse>;
export type Guard = (role: StaffRole, handler: StaffHandler) => Handler;

export const SESSION_COOKIE = "chungtay_staff";
const actorHeader = /^[\p{L}\p{N} ._@-]{1,64}$/u;

/** The staff member's language: the console's choice (Accept-Language), else their own, else the bot's. */
export function staffLang(req: HttpRequest, fallback: Language): Language {
  const first = req.headers["accept-language"]?.split(",")[0]?.trim().slice(0, 2).toLowerCase();
  return isLanguage(first) ? first : fallback;
}

/** A refusal as staff read it: copy from locales/<lang>/console.json, with a stable code for scripts. */
export function refusal(
  app: Pick<App, "engine">,
  status: number,
  code: string,
  lang: Language,
  values: Record<string, unknown> = {},
  headers?: Record<string, string>,
): HttpResponse {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { error: app.engine.text(`console.refusal.${code}`, lang, values), code },
  };
}

/** A staff request's JSON body checked against a schema, problems in the staff member's language. */
export function staffBody<T>(
  app: Pick<App, "engine">,
  req: HttpRequest,
  schema: z.ZodType<T>,
  lang: Language,
): Validated<T> {
  let json: unknown;
  try {
    json = JSON.parse(req.rawBody.toString("utf8"));
  } catch {
    return { ok: false, response: refusal(app, 400, "bad_json", lang) };
  }
  return validated(json, schema, "body", lang);
}

export function cookieValue(req: HttpRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function sameText(a: string | undefined, b: string): boolean {
  const x = Buffer.from(a ?? "");
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The one door to the staff API. A console session (cookie) must carry its CSRF token on every
 * change; the Bearer ADMIN_TOKEN (scripts) acts as an admin named by X-Staff. The role decides
 * what each route allows; refusals are in the staff member's language.
 */
export function staffGuard(app: App): Guard {
  const token = app.config.ADMIN_TOKEN ? new SharedSecret(app.config.ADMIN_TOKEN) : null;
  const sessions = new StaffSessions(app.stores.keyValue, app.now);
  const accounts = new StaffAccounts(app.stores.keyValue);
  const fallback = app.config.DEFAULT_LANGUAGE;

  const identify = async (
    req: HttpRequest,
  ): Promise<StaffMember | { refused: "login_required" | "csrf" | "bad_token" }> => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer !== undefined) {
      if (!token?.matches(bearer)) return { refused: "bad_token" };
      const who = req.headers["x-staff"];
      return {
        actor: typeof who === "string" && actorHeader.test(who) ? `admin-api:${who}` : "admin-api",
        role: "admin",
        lang: staffLang(req, fallback),
        via: "token",
      };
    }
    const session = await sessions.find(cookieValue(req, SESSION_COOKIE));
    if (!session) return { refused: "login_required" };
    // The account as it is now: a role changed or a password reset takes effect at once.
    const account = await accounts.get(session.name);
    if (!account || credentialOf(account) !== session.credential) return { refused: "login_required" };
    const header = req.headers["x-csrf-token"];
    if (req.method !== "GET" && !sameText(typeof header === "string" ? header : undefined, session.csrf))
      return { refused: "csrf" };
    return {
      actor: `staff:${session.name}`,
      name: account.name,
      role: account.role,
      lang: staffLang(req, session.lang),
      via: "session",
    };
  };

  return (role, handler) => async (req) => {
    const lang = staffLang(req, fallback);
    try {
      const who = await identify(req);
      if ("refused" in who)
        return who.refused === "csrf"
          ? refusal(app, 403, "csrf", lang)
          : refusal(app, 401, who.refused, lang, {}, { "www-authenticate": "Bearer" });
      if (!roleAllows(who.role, role))
        return refusal(app, 403, "role", who.lang, {
          role: app.engine.text(`console.role.${role}`, who.lang),
        });
      return await handler(req, who);
    } catch (err) {
      if (err instanceof StoreUnavailableError) return refusal(app, 503, "store_unavailable", lang);
      throw err;
    }
  };
}
