import { z } from "zod";
import type { App } from "../app.ts";
import type { HttpRequest, HttpServer } from "../http/http-server.ts";
import { StaffAccounts } from "../staff/staff-accounts.ts";
import {
  LOGIN_LIMITS,
  LoginLimiter,
  SESSION_TTL_MS,
  StaffSessions,
  credentialOf,
} from "../staff/staff-sessions.ts";
import { SESSION_COOKIE, cookieValue, refusal, staffLang } from "./staff-guard.ts";

const loginBody = z
  .object({ name: z.string().min(1).max(64), password: z.string().min(1).max(200) })
  .strict();

/** Secure when the bot is reached over https (behind a proxy that says so), so a local http demo still logs in. */
function cookie(req: HttpRequest, value: string, maxAgeSeconds: number): string {
  const secure = req.headers["x-forwarded-proto"] === "https" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * Console login: name and password (argon2id) give a session cookie (HttpOnly, SameSite=Strict,
 * Secure over https) and the CSRF token the page sends with each change. Wrong passwords are
 * counted (LoginLimiter); logins and logouts are audited under the staff member's name.
 */
export function mountStaffAuth(http: HttpServer, app: App): void {
  const accounts = new StaffAccounts(app.stores.keyValue);
  const sessions = new StaffSessions(app.stores.keyValue, app.now);
  const limiter = new LoginLimiter(app.stores.keyValue);
  const audit = (actor: string, action: string) =>
    app.records.audit.record({ actor, action, at: app.now().toISOString() });

  http.route("POST", "/admin/auth/login", async (req) => {
    const lang = staffLang(req, app.config.DEFAULT_LANGUAGE);
    // JSON only: a form on another site cannot post JSON without the browser asking first.
    if (!req.headers["content-type"]?.startsWith("application/json"))
      return refusal(app, 415, "json_only", lang);
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
      return refusal(app, 400, "login_missing", lang);
    }
    const b = loginBody.safeParse(body);
    if (!b.success) return refusal(app, 400, "login_missing", lang);
    if (await limiter.blocked(b.data.name))
      return refusal(
        app,
        429,
        "login_limited",
        lang,
        { minutes: LOGIN_LIMITS.windowMs / 60_000 },
        { "retry-after": String(LOGIN_LIMITS.windowMs / 1000) },
      );
    const account = await accounts.check(b.data.name, b.data.password);
    if (!account) {
      await limiter.failed(b.data.name);
      return refusal(app, 401, "login_failed", lang);
    }
    await limiter.succeeded(b.data.name);
    const { id, session } = await sessions.open(account);
    await audit(`staff:${account.name}`, "staff.login");
    return {
      status: 200,
      headers: { "set-cookie": cookie(req, id, SESSION_TTL_MS / 1000), "cache-control": "no-store" },
      body: { name: session.name, role: session.role, lang: session.lang, csrf: session.csrf },
    };
  });

  http.route("GET", "/admin/auth/me", async (req) => {
    const session = await sessions.find(cookieValue(req, SESSION_COOKIE));
    const account = session && (await accounts.get(session.name));
    if (!session || !account || credentialOf(account) !== session.credential)
      return refusal(app, 401, "login_required", staffLang(req, app.config.DEFAULT_LANGUAGE));
    return {
      status: 200,
      headers: { "cache-control": "no-store" },
      body: { name: account.name, role: account.role, lang: session.lang, csrf: session.csrf },
    };
  });

  http.route("POST", "/admin/auth/logout", async (req) => {
    const id = cookieValue(req, SESSION_COOKIE);
    const session = await sessions.find(id);
    // Logging out needs the CSRF token too: another site must not end a session.
    if (session && req.headers["x-csrf-token"] === session.csrf) {
      await sessions.close(id);
      await audit(`staff:${session.name}`, "staff.logout");
    }
    return { status: 204, headers: { "set-cookie": cookie(req, "", 0) } };
  });
}
