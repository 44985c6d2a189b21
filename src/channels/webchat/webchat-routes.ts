import { readFileSync } from "node:fs";
import { z } from "zod";
import type { App } from "../../app.ts";
import { LANGUAGES } from "../../engine/locales.ts";
import type { HttpRequest, HttpResponse, HttpServer } from "../../http/http-server.ts";
import { WindowLimit } from "../../http/rate-limit.ts";
import { validated, validatedJsonBody } from "../../http/validated.ts";
import { WEBCHAT_ID, WebchatIdentity } from "./webchat-identity.ts";
import { WebchatInbox } from "./webchat-inbox.ts";

/** A conversation that never went past its first message is kept this long (s), not 30 days. */
const FIRST_MESSAGE_TTL_SECONDS = 3600;

/** What the page posts: the user id issued by POST /webchat/session, a message id made in the browser. */
const messageSchema = z
  .object({
    userId: z.string().regex(WEBCHAT_ID, "an id issued by POST /webchat/session"),
    messageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    text: z.string().max(2000).optional(),
    payload: z.string().max(64).optional(),
    locale: z.string().max(35).optional(),
  })
  .strict()
  .refine((m) => m.text !== undefined || m.payload !== undefined, "text or payload is required");

const file = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
const page = file("webchat-page.html");

/** The page's script, style and logo: static files beside this one, no build step. */
const assets: Record<string, { type: string; body: string }> = {
  "/webchat/webchat.js": { type: "text/javascript; charset=utf-8", body: file("webchat.js") },
  "/webchat/webchat.css": { type: "text/css; charset=utf-8", body: file("webchat.css") },
  "/webchat/logo.svg": { type: "image/svg+xml", body: file("logo.svg") },
};

const inboxQuery = z
  .object({ userId: z.string().regex(WEBCHAT_ID, "an id issued by POST /webchat/session") })
  .strict();

/**
 * The local web chat: GET / serves the page with its labels in both languages (it follows the
 * conversation's language),
 * POST /webchat/session issues a signed user id (capped per IP and in all per minute),
 * POST /webchat/messages runs one turn and answers with the replies, GET /webchat/inbox hands
 * over broadcasts and reminders waiting for the user (the page polls it). Messages and polls
 * are rate-limited per IP (429 with Retry-After); an id the server did not issue is a 401.
 */
export function mountWebchat(http: HttpServer, app: App): void {
  const c = app.config;
  let identity: Promise<WebchatIdentity> | null = null;
  const ids = () => (identity ??= WebchatIdentity.create(c.WEBCHAT_SECRET, app.stores.keyValue));
  const messages = new WindowLimit(c.WEBCHAT_MESSAGES_PER_MIN);
  const polls = new WindowLimit(c.WEBCHAT_MESSAGES_PER_MIN * 2);
  const sessionsPerIp = new WindowLimit(c.WEBCHAT_SESSIONS_PER_IP_PER_MIN);
  const sessions = new WindowLimit(c.WEBCHAT_NEW_SESSIONS_PER_MIN);
  app.turns.firstTurnTtlSeconds.set("webchat", FIRST_MESSAGE_TTL_SECONDS);
  const client = (req: HttpRequest) => {
    const forwarded = c.WEBCHAT_TRUST_PROXY ? req.headers["x-forwarded-for"] : undefined;
    return (typeof forwarded === "string" && forwarded.split(",")[0]!.trim()) || req.ip;
  };
  const tooMany = (waitMs: number): HttpResponse => ({
    status: 429,
    headers: { "retry-after": String(Math.ceil(waitMs / 1000)) },
    body: { error: "too many requests; try again shortly" },
  });
  const unknownId: HttpResponse = {
    status: 401,
    body: { error: "unknown web chat id: get one from POST /webchat/session" },
  };

  http.route("POST", "/webchat/session", async (req) => {
    const wait = sessionsPerIp.take(client(req)) || sessions.take("all");
    if (wait) return tooMany(wait);
    return { status: 200, headers: { "cache-control": "no-store" }, body: { userId: (await ids()).issue() } };
  });
  const lang = app.config.DEFAULT_LANGUAGE;
  // Every label of locales/<lang>/webchat.json, rendered with campaign facts ({{campaign.city}}).
  const keys = Object.keys((app.bundle.locales[lang] as { webchat?: object }).webchat ?? {});
  const labels = Object.fromEntries(
    LANGUAGES.map((l) => [l, Object.fromEntries(keys.map((k) => [k, app.engine.text(`webchat.${k}`, l)]))]),
  ) as Record<string, Record<string, string>>;
  const config = {
    lang,
    labels,
    referencePrefix: app.bundle.campaign.pledge.reference_prefix.replace(/[^A-Za-z0-9]/g, ""),
  };
  const html = page
    .replace("{{lang}}", lang)
    .replace("{{config}}", JSON.stringify(config).replace(/</g, "\\u003c"))
    .replace(/\{\{(title|subtitle)\}\}/g, (_, key: string) => escapeHtml(labels[lang]![key]!));

  http.route("GET", "/", () => ({
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: html,
  }));
  for (const [path, asset] of Object.entries(assets))
    http.route("GET", path, () => ({
      status: 200,
      headers: { "content-type": asset.type, "cache-control": "no-cache" },
      body: asset.body,
    }));
  http.route("GET", "/favicon.ico", () => ({ status: 204 }));

  http.route("POST", "/webchat/messages", async (req) => {
    const wait = messages.take(client(req));
    if (wait) return tooMany(wait);
    const parsed = validatedJsonBody(req, messageSchema);
    if (!parsed.ok) return parsed.response;
    const m = parsed.data;
    if (!(await ids()).verify(m.userId)) return unknownId;
    const result = await app.turns.process({
      channel: "webchat",
      messageId: m.messageId,
      conversationId: m.userId,
      userId: m.userId,
      text: m.text,
      payload: m.payload,
      locale: m.locale,
    });
    return { status: 200, body: result };
  });

  const inbox = new WebchatInbox(app.stores.keyValue);
  http.route("GET", "/webchat/inbox", async (req) => {
    const wait = polls.take(client(req));
    if (wait) return tooMany(wait);
    const q = validated(Object.fromEntries(req.query), inboxQuery, "query");
    if (!q.ok) return q.response;
    if (!(await ids()).verify(q.data.userId)) return unknownId;
    return {
      status: 200,
      headers: { "cache-control": "no-store" },
      body: { replies: await inbox.take(q.data.userId) },
    };
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
