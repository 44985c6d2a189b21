import { z } from "zod";
import type { App } from "../app.ts";
import { mountBroadcastRoutes } from "./broadcast-routes.ts";
import { mountPledgeRoutes } from "./pledge-routes.ts";
import { vietnamDayStart } from "../time/vietnam-time.ts";
import type { HttpRequest, HttpResponse, HttpServer } from "../http/http-server.ts";
import { SharedSecret } from "../http/shared-secret.ts";
import { validated, validatedJsonBody } from "../http/validated.ts";
import { StoreUnavailableError } from "../records/ports.ts";
import { answerHandoff } from "../staff/answer-handoff.ts";

const statusBody = z
  .object({
    reference: z.string().regex(/^[A-Za-z]{2,5}-[0-9A-Za-z]{6}$/),
    status: z.enum(["pledged", "paid", "cancelled"]),
  })
  .strict();
const replyBody = z.object({ text: z.string().trim().min(1).max(1800) }).strict();
const statsQuery = z.object({ since: z.iso.date().optional(), until: z.iso.date().optional() }).strict();

/**
 * The staff API under /admin/api, off unless ADMIN_TOKEN is set. Every request needs
 * `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time); bodies and queries are
 * validated with zod; every change is written to the audit log.
 */
export function mountAdmin(http: HttpServer, app: App): void {
  const token = app.config.ADMIN_TOKEN;
  if (!token) return;
  const secret = new SharedSecret(token);
  const guarded =
    (handler: (req: HttpRequest) => Promise<HttpResponse>) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      if (!secret.matches(given))
        return {
          status: 401,
          headers: { "www-authenticate": "Bearer" },
          body: { error: "a valid Bearer token is required" },
        };
      try {
        return await handler(req);
      } catch (err) {
        if (err instanceof StoreUnavailableError)
          return { status: 503, body: { error: "a store is unavailable; try again shortly" } };
        throw err;
      }
    };

  // Pledge totals, by method and organisation, optionally for [since, until) (dates in Vietnam time).
  http.route(
    "GET",
    "/admin/api/stats",
    guarded(async (req) => {
      const q = validated(Object.fromEntries(req.query), statsQuery, "query");
      if (!q.ok) return q.response;
      const totals = await app.records.pledges.totals({
        since: vietnamDayStart(q.data.since),
        until: vietnamDayStart(q.data.until),
      });
      await app.records.audit.record({
        actor: "admin-api",
        action: "stats.view",
        details: q.data,
        at: app.now().toISOString(),
      });
      return { status: 200, body: totals };
    }),
  );

  // Requests to talk to staff, oldest first, with the channel and conversation to answer in.
  http.route(
    "GET",
    "/admin/api/handoffs",
    guarded(async () => {
      const handoffs = await app.records.handoffs.open();
      await app.records.audit.record({
        actor: "admin-api",
        action: "handoffs.view",
        at: app.now().toISOString(),
      });
      return { status: 200, body: { handoffs } };
    }),
  );

  // Mark a pledge paid or cancelled (or back to pledged).
  http.route(
    "POST",
    "/admin/api/pledges/status",
    guarded(async (req) => {
      const b = validatedJsonBody(req, statusBody);
      if (!b.ok) return b.response;
      const pledge = await app.records.pledges.setStatus(b.data.reference, b.data.status);
      if (!pledge) return { status: 404, body: { error: `no pledge ${b.data.reference.toUpperCase()}` } };
      await app.records.audit.record({
        actor: "admin-api",
        action: `pledge.set_status`,
        target: pledge.reference,
        details: { status: b.data.status },
        at: app.now().toISOString(),
      });
      return {
        status: 200,
        body: { reference: pledge.reference, status: pledge.status, amount: pledge.amount },
      };
    }),
  );

  // Staff answer a "talk to staff" request through the bot, in the channel it came from.
  http.route(
    "POST",
    "/admin/api/handoffs/:id/reply",
    guarded(async (req) => {
      const b = validatedJsonBody(req, replyBody);
      if (!b.ok) return b.response;
      const handoff = await app.records.handoffs.get(req.params.id!);
      if (!handoff) return { status: 404, body: { error: `no staff request ${req.params.id}` } };
      const outcome = await answerHandoff(app, handoff, b.data.text, "admin-api");
      if (outcome === "no_channel")
        return { status: 422, body: { error: `channel ${handoff.channel} cannot send messages from here` } };
      return { status: outcome === "sent" ? 200 : 502, body: { outcome } };
    }),
  );

  mountBroadcastRoutes(http, app, guarded);
  mountPledgeRoutes(http, app, guarded);

  http.route(
    "GET",
    "/admin/api/audit",
    guarded(async (req) => {
      const limit = Math.min(Math.max(Number(req.query.get("limit") ?? 50) || 50, 1), 500);
      return { status: 200, body: { entries: await app.records.audit.list(limit) } };
    }),
  );
}
