import { z } from "zod";
import type { App } from "../app.ts";
import { mountBroadcastRoutes } from "./broadcast-routes.ts";
import { mountPledgeRoutes } from "./pledge-routes.ts";
import { vietnamDayStart } from "../time/vietnam-time.ts";
import type { HttpServer } from "../http/http-server.ts";
import { validated } from "../http/validated.ts";
import { answerHandoff } from "../staff/answer-handoff.ts";
import { mountConsole } from "./console-routes.ts";
import { mountConsoleApi } from "./console-api-routes.ts";
import { mountStaffAuth } from "./staff-auth-routes.ts";
import { refusal, staffBody, staffGuard } from "./staff-guard.ts";

const statusBody = z
  .object({
    reference: z.string().regex(/^[A-Za-z]{2,5}-[0-9A-Za-z]{6}$/),
    status: z.enum(["pledged", "paid", "cancelled"]),
    /** Why (a cancellation's reason, a receipt number): kept in the audit log. */
    reason: z.string().trim().min(1).max(300).optional(),
  })
  .strict();
const replyBody = z.object({ text: z.string().trim().min(1).max(1800) }).strict();
const statsQuery = z.object({ since: z.iso.date().optional(), until: z.iso.date().optional() }).strict();

/**
 * The staff API under /admin/api, and the console at /admin. A console session (staff accounts,
 * `npm run staff:add`) or, for scripts, `Authorization: Bearer <ADMIN_TOKEN>` (compared in
 * constant time); each route needs a role (staff-guard.ts). Bodies and queries are validated
 * with zod; every change is written to the audit log under who made it.
 */
export function mountAdmin(http: HttpServer, app: App): void {
  const guard = staffGuard(app);
  mountStaffAuth(http, app);
  mountConsole(http, app);

  // Pledge totals, by method and organisation, optionally for [since, until) (dates in Vietnam time).
  http.route(
    "GET",
    "/admin/api/stats",
    guard("viewer", async (req, who) => {
      const q = validated(Object.fromEntries(req.query), statsQuery, "query", who.lang);
      if (!q.ok) return q.response;
      const totals = await app.records.pledges.totals({
        since: vietnamDayStart(q.data.since),
        until: vietnamDayStart(q.data.until),
      });
      await app.records.audit.record({
        actor: who.actor,
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
    guard("viewer", async (_req, who) => {
      const handoffs = await app.records.handoffs.open();
      await app.records.audit.record({
        actor: who.actor,
        action: "handoffs.view",
        at: app.now().toISOString(),
      });
      return { status: 200, body: { handoffs } };
    }),
  );

  // Mark a pledge paid or cancelled (or back to pledged), with the reason in the audit log.
  http.route(
    "POST",
    "/admin/api/pledges/status",
    guard("organiser", async (req, who) => {
      const b = staffBody(app, req, statusBody, who.lang);
      if (!b.ok) return b.response;
      const pledge = await app.records.pledges.setStatus(b.data.reference, b.data.status);
      if (!pledge)
        return refusal(app, 404, "no_pledge", who.lang, { reference: b.data.reference.toUpperCase() });
      await app.records.audit.record({
        actor: who.actor,
        action: `pledge.set_status`,
        target: pledge.reference,
        details: { status: b.data.status, ...(b.data.reason ? { reason: b.data.reason } : {}) },
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
    guard("organiser", async (req, who) => {
      const b = staffBody(app, req, replyBody, who.lang);
      if (!b.ok) return b.response;
      const handoff = await app.records.handoffs.get(req.params.id!);
      if (!handoff) return refusal(app, 404, "no_request", who.lang, { id: req.params.id });
      const outcome = await answerHandoff(app, handoff, b.data.text, who.actor);
      if (outcome === "no_channel")
        return refusal(app, 422, "no_channel", who.lang, { channel: handoff.channel });
      return {
        status: outcome === "sent" ? 200 : 502,
        body: {
          outcome,
          ...(outcome === "sent" ? {} : { error: app.engine.text(`staff.outcome.${outcome}`, who.lang) }),
        },
      };
    }),
  );

  mountBroadcastRoutes(http, app, guard);
  mountPledgeRoutes(http, app, guard);
  mountConsoleApi(http, app, guard);

  http.route(
    "GET",
    "/admin/api/audit",
    guard("admin", async (req) => {
      const limit = Math.min(Math.max(Number(req.query.get("limit") ?? 50) || 50, 1), 500);
      // Filters (who, what, on which item) look through the latest 5,000 entries.
      const wanted = (["actor", "action", "target"] as const)
        .map((f) => [f, req.query.get(f)?.trim().toLowerCase()] as const)
        .filter((x): x is readonly [(typeof x)[0], string] => !!x[1]);
      const entries = wanted.length
        ? (await app.records.audit.list(5_000))
            .filter((e) => wanted.every(([f, v]) => (e[f] ?? "").toLowerCase().includes(v)))
            .slice(0, limit)
        : await app.records.audit.list(limit);
      return { status: 200, body: { entries } };
    }),
  );
}
