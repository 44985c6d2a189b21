import { readFileSync } from "node:fs";
import { z } from "zod";
import type { App } from "../../app.ts";
import { lookupKey } from "../../engine/locales.ts";
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

const page = readFileSync(new URL("./webchat-page.html", import.meta.url), "utf8");

const inboxQuery = z.object({ userId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }).strict();

/**
 * The local web chat: GET / serves the page (its labels from locales/<lang>/webchat.json),
 * POST /webchat/messages runs one turn and answers with the replies, GET /webchat/inbox hands
 * over broadcasts and reminders waiting for the user (the page polls it).
 */
export function mountWebchat(http: HttpServer, app: App): void {
  const lang = app.config.DEFAULT_LANGUAGE;
  const html = page
    .replace(/\{\{(webchat\.[a-z_]+)\}\}/g, (_, key: string) =>
      escapeHtml(lookupKey(app.bundle.locales[lang], key) ?? key),
    )
    .replace("{{lang}}", lang);

  http.route("GET", "/", () => ({
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    body: html,
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
