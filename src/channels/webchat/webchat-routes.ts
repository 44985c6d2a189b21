import { readFileSync } from "node:fs";
import { z } from "zod";
import type { App } from "../../app.ts";
import { LANGUAGES } from "../../engine/locales.ts";
import type { HttpServer } from "../../http/http-server.ts";
import { validated, validatedJsonBody } from "../../http/validated.ts";
import { WebchatInbox } from "./webchat-inbox.ts";

/** What the page posts: ids made in the browser (the user id lives in localStorage). */
const messageSchema = z
  .object({
    userId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
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

const inboxQuery = z.object({ userId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict();

/**
 * The local web chat: GET / serves the page with its labels in both languages (from
 * locales/<lang>/webchat.json; the page follows the conversation's language), POST
 * /webchat/messages runs one turn and answers with the replies, the conversation's language and
 * whether a question waits; GET /webchat/inbox hands over broadcasts and reminders waiting for
 * the user (the page polls it).
 */
export function mountWebchat(http: HttpServer, app: App): void {
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
    const parsed = validatedJsonBody(req, messageSchema);
    if (!parsed.ok) return parsed.response;
    const m = parsed.data;
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
    const q = validated(Object.fromEntries(req.query), inboxQuery, "query");
    if (!q.ok) return q.response;
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
