import { z } from "zod";
import type { App } from "../app.ts";
import { broadcastInput } from "../broadcasts/broadcast.ts";
import { BroadcastError, type BroadcastService } from "../broadcasts/broadcast-service.ts";
import type { HttpRequest, HttpResponse, HttpServer } from "../http/http-server.ts";
import { nextSendTime, parseQuietHours } from "../broadcasts/quiet-hours.ts";
import type { StaffRole } from "../staff/staff-accounts.ts";
import { refusal, staffBody, type Guard, type StaffMember } from "./staff-guard.ts";

const testBody = z
  .object({
    channel: z.string().min(1),
    userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    lang: z.enum(["vi", "en"]).optional(),
  })
  .strict();
const startBody = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();
const audienceBody = broadcastInput.shape.audience;

/**
 * /admin/api/broadcasts: create (draft), edit or copy a draft, list, show with progress, count
 * an audience, preview, test-send, start or schedule, pause, resume, cancel. Viewers read;
 * organisers change. The audit log names who: the staff member, or "admin-api" plus the X-Staff
 * header a script gives. Refusals are in the staff member's language.
 */
export function mountBroadcastRoutes(http: HttpServer, app: App, guard: Guard): void {
  const withService = (
    role: StaffRole,
    handler: (req: HttpRequest, s: BroadcastService, who: StaffMember) => Promise<HttpResponse>,
  ) =>
    guard(role, async (req, who) => {
      if (!app.broadcasts) return refusal(app, 503, "broadcasts_starting", who.lang);
      try {
        return await handler(req, app.broadcasts, who);
      } catch (err) {
        if (err instanceof BroadcastError)
          return { status: err.status, body: { error: err.text(app.engine, who.lang), code: err.code } };
        throw err;
      }
    });
  const base = "/admin/api/broadcasts";
  const quiet = parseQuietHours(app.config.QUIET_HOURS);

  http.route(
    "POST",
    base,
    withService("organiser", async (req, s, who) => {
      const b = staffBody(app, req, broadcastInput, who.lang);
      if (!b.ok) return b.response;
      return { status: 201, body: { broadcast: await s.create(b.data, who.actor) } };
    }),
  );

  // Who an audience reaches now: the console's live count while staff choose it.
  http.route(
    "POST",
    `${base}/recipients`,
    withService("viewer", async (req, s, who) => {
      const b = staffBody(app, req, audienceBody, who.lang);
      if (!b.ok) return b.response;
      return { status: 200, body: { recipients: await s.recipients(b.data) } };
    }),
  );

  http.route(
    "PUT",
    `${base}/:id`,
    withService("organiser", async (req, s, who) => {
      const b = staffBody(app, req, broadcastInput, who.lang);
      if (!b.ok) return b.response;
      return { status: 200, body: { broadcast: await s.edit(req.params.id!, b.data, who.actor) } };
    }),
  );

  http.route(
    "POST",
    `${base}/:id/resend`,
    withService("organiser", async (req, s, who) => ({
      status: 201,
      body: { broadcast: await s.resendUnconfirmed(req.params.id!, who.actor) },
    })),
  );

  http.route(
    "POST",
    `${base}/:id/copy`,
    withService("organiser", async (req, s, who) => ({
      status: 201,
      body: { broadcast: await s.copy(req.params.id!, who.actor) },
    })),
  );

  http.route(
    "GET",
    base,
    withService("viewer", async (_req, s) => {
      const list = await s.list(50);
      return {
        status: 200,
        body: {
          broadcasts: await Promise.all(
            list.map(async (b) => ({
              id: b.id,
              title: b.title,
              status: b.status,
              startAt: b.startAt,
              createdAt: b.createdAt,
              report: await s.report(b.id),
            })),
          ),
        },
      };
    }),
  );

  http.route(
    "GET",
    `${base}/:id`,
    withService("viewer", async (req, s) => {
      const now = app.now();
      const sendsFrom = nextSendTime(now, quiet);
      return {
        status: 200,
        body: {
          broadcast: await s.get(req.params.id!),
          report: await s.report(req.params.id!),
          // Inside quiet hours a running broadcast waits: the console says until when.
          ...(sendsFrom > now ? { quietUntil: sendsFrom.toISOString() } : {}),
        },
      };
    }),
  );

  // The report's lists: who was blocked, failed, outside the window, opted out or unconfirmed.
  http.route(
    "GET",
    `${base}/:id/problems`,
    withService("viewer", async (req, s, who) => {
      const recipients = await s.problemRecipients(req.params.id!, 500);
      await app.records.audit.record({
        actor: who.actor,
        action: "broadcast.problems.view",
        target: req.params.id!,
        details: { count: recipients.length },
        at: app.now().toISOString(),
      });
      return { status: 200, body: { recipients } };
    }),
  );

  http.route(
    "GET",
    `${base}/:id/preview`,
    withService("viewer", async (req, s, who) => ({
      status: 200,
      body: await s.preview(req.params.id!, who.actor),
    })),
  );

  http.route(
    "POST",
    `${base}/:id/test`,
    withService("organiser", async (req, s, who) => {
      const b = staffBody(app, req, testBody, who.lang);
      if (!b.ok) return b.response;
      return { status: 200, body: { outcome: await s.testSend(req.params.id!, b.data, who.actor) } };
    }),
  );

  http.route(
    "POST",
    `${base}/:id/start`,
    withService("organiser", async (req, s, who) => {
      const b = req.rawBody.length
        ? staffBody(app, req, startBody, who.lang)
        : ({ ok: true, data: {} as { at?: string } } as const);
      if (!b.ok) return b.response;
      const started = await s.start(req.params.id!, who.actor, b.data.at ? new Date(b.data.at) : undefined);
      return { status: 200, body: { broadcast: started } };
    }),
  );

  for (const command of ["pause", "resume", "cancel"] as const) {
    http.route(
      "POST",
      `${base}/:id/${command}`,
      withService("organiser", async (req, s, who) => ({
        status: 200,
        body: { broadcast: await s[command](req.params.id!, who.actor) },
      })),
    );
  }
}
