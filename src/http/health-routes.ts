import type { App } from "../app.ts";
import type { HttpServer } from "./http-server.ts";

/** /healthz: the process answers. /readyz: each store answers (503 when one does not). */
export function mountHealth(http: HttpServer, app: App): void {
  http.route("GET", "/healthz", () => ({ status: 200, body: { ok: true } }));
  http.route("GET", "/readyz", async () => {
    const sessions = await app.store.ping().catch(() => false);
    const stores = { sessions: sessions ? "up" : "down", records: "up" };
    return { status: sessions ? 200 : 503, body: { ready: sessions, stores } };
  });
}
