import type { App } from "../app.ts";
import type { HttpServer } from "./http-server.ts";

/** /healthz: the process answers. /readyz: each store answers (503 when one does not). */
export function mountHealth(http: HttpServer, app: App): void {
  http.route("GET", "/healthz", () => ({ status: 200, body: { ok: true } }));
  http.route("GET", "/readyz", async () => {
    const { sessions, records, outbox } = await app.stores.readiness();
    const ready = sessions.up && records.up;
    const state = (s: { kind: string; up: boolean }) => `${s.kind}: ${s.up ? "up" : "down"}`;
    return {
      status: ready ? 200 : 503,
      body: { ready, stores: { sessions: state(sessions), records: state(records) }, outbox },
    };
  });
}
