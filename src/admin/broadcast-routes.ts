import { z } from "zod";
import type { App } from "../app.ts";
import { broadcastInput } from "../broadcasts/broadcast.ts";
import { BroadcastError, type BroadcastService } from "../broadcasts/broadcast-service.ts";
import type { HttpRequest, HttpResponse, HttpServer } from "../http/http-server.ts";
import { validatedJsonBody } from "../http/validated.ts";

type Guard = (
  handler: (req: HttpRequest) => Promise<HttpResponse>,
) => (req: HttpRequest) => Promise<HttpResponse>;

const testBody = z
  .object({
    channel: z.string().min(1),
    userId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    lang: z.enum(["vi", "en"]).optional(),
  })
  .strict();
const startBody = z.object({ at: z.iso.datetime({ offset: true }).optional() }).strict();
const actorHeader = /^[\p{L}\p{N} ._@-]{1,64}$/u;

/**
 * /admin/api/broadcasts: create (draft), list, show with progress, preview, test-send, start or
 * schedule, pause, resume, cancel. The audit log names "admin-api", plus the X-Staff header
 * when the caller gives one (the token is shared, the header says who used it).
 */
export function mountBroadcastRoutes(http: HttpServer, app: App, guarded: Guard): void {
  const actor = (req: HttpRequest) => {
    const who = req.headers["x-staff"];
    return typeof who === "string" && actorHeader.test(who) ? `admin-api:${who}` : "admin-api";
  };
  const withService = (handler: (req: HttpRequest, s: BroadcastService) => Promise<HttpResponse>) =>
    guarded(async (req) => {
      if (!app.broadcasts)
        return { status: 503, body: { error: "broadcasts are starting; try again shortly" } };
      try {
        return await handler(req, app.broadcasts);
      } catch (err) {
        if (err instanceof BroadcastError) return { status: err.status, body: { error: err.message } };
        throw err;
      }
    });
  const base = "/admin/api/broadcasts";

  http.route(
    "POST",
    base,
    withService(async (req, s) => {
      const b = validatedJsonBody(req, broadcastInput);
      if (!b.ok) return b.response;
      return { status: 201, body: { broadcast: await s.create(b.data, actor(req)) } };
    }),
  );

  http.route(
    "GET",
    base,
    withService(async (_req, s) => {
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
    withService(async (req, s) => ({
      status: 200,
      body: { broadcast: await s.get(req.params.id!), report: await s.report(req.params.id!) },
    })),
  );

  http.route(
    "GET",
    `${base}/:id/preview`,
    withService(async (req, s) => ({ status: 200, body: await s.preview(req.params.id!, actor(req)) })),
  );

  http.route(
    "POST",
    `${base}/:id/test`,
    withService(async (req, s) => {
      const b = validatedJsonBody(req, testBody);
      if (!b.ok) return b.response;
      return { status: 200, body: { outcome: await s.testSend(req.params.id!, b.data, actor(req)) } };
    }),
  );

  http.route(
    "POST",
    `${base}/:id/start`,
    withService(async (req, s) => {
      const b = req.rawBody.length
        ? validatedJsonBody(req, startBody)
        : ({ ok: true, data: {} as { at?: string } } as const);
      if (!b.ok) return b.response;
      const started = await s.start(req.params.id!, actor(req), b.data.at ? new Date(b.data.at) : undefined);
      return { status: 200, body: { broadcast: started } };
    }),
  );

  for (const command of ["pause", "resume", "cancel"] as const) {
    http.route(
      "POST",
      `${base}/:id/${command}`,
      withService(async (req, s) => ({
        status: 200,
        body: { broadcast: await s[command](req.params.id!, actor(req)) },
      })),
    );
  }
}
