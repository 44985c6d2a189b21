import type { App } from "../app.ts";
import { metrics, registry } from "../metrics/metrics.ts";
import type { HttpServer } from "./http-server.ts";

/**
 * /healthz: the process answers. /readyz: turns can be served. Sessions must answer; records
 * may be away while the outbox holds pledges and consents for them (MongoDB behind its outbox),
 * which is "degraded", still 200: a readiness probe must not turn a database outage into a
 * full outage. 503 only when sessions, or records with no outbox to carry them, are down.
 */
export function mountHealth(http: HttpServer, app: App): void {
  http.route("GET", "/healthz", () => ({ status: 200, body: { ok: true } }));
  http.route("GET", "/readyz", async () => {
    const { sessions, records, outbox } = await readiness(app);
    // outbox: records waiting (≥ 0) when the outbox answers, -1 when it does not; null when there is none.
    const carried = !records.up && outbox !== null && outbox >= 0;
    const ready = sessions.up && (records.up || carried);
    const state = (s: { kind: string; up: boolean }) => `${s.kind}: ${s.up ? "up" : "down"}`;
    return {
      status: ready ? 200 : 503,
      body: {
        ready,
        ...(carried ? { degraded: "records are down: pledges and consents wait in the outbox" } : {}),
        stores: { sessions: state(sessions), records: state(records) },
        outbox: outbox ?? 0,
      },
    };
  });
  // Prometheus: the store gauges are read at scrape time, like /readyz.
  http.route("GET", "/metrics", async () => {
    await readiness(app);
    return { status: 200, headers: { "content-type": registry.contentType }, body: await registry.metrics() };
  });
}

/** Each store's state, also set on the store gauges. */
async function readiness(app: App): ReturnType<App["stores"]["readiness"]> {
  const state = await app.stores.readiness();
  metrics.storeUp.set({ store: "sessions" }, state.sessions.up ? 1 : 0);
  metrics.storeUp.set({ store: "records" }, state.records.up ? 1 : 0);
  metrics.outboxDepth.set(state.outbox ?? 0);
  return state;
}
