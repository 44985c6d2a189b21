import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The process's Prometheus metrics, served at GET /metrics. One registry per process (one bot
 * per process in production; tests read differences). Labels are closed sets (channel, outcome,
 * kind): never a user id, a message or anything personal.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "chungtay_process_" });

export const metrics = {
  turns: new Counter({
    name: "chungtay_turns_total",
    help: "Turns by channel and outcome (ok, duplicate: a redelivery ignored, failed, store_unavailable)",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  }),
  turnSeconds: new Histogram({
    name: "chungtay_turn_seconds",
    help: "Time of a turn from the session store's claim to its release",
    labelNames: ["channel"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  storeSeconds: new Histogram({
    name: "chungtay_session_store_seconds",
    help: "Session store latency by operation (acquire: claim + lock + read; release: write + hand over)",
    labelNames: ["op"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }),
  errors: new Counter({
    name: "chungtay_errors_total",
    help: "Failures by kind (turn, http_5xx, http_4xx_parse, uncaught, unhandled_rejection)",
    labelNames: ["kind"] as const,
    registers: [registry],
  }),
  broadcastMessages: new Counter({
    name: "chungtay_broadcast_messages_total",
    help: "Broadcast messages by channel and outcome (sent, failed, blocked, outside_window, skipped)",
    labelNames: ["channel", "outcome"] as const,
    registers: [registry],
  }),
  storeUp: new Gauge({
    name: "chungtay_store_up",
    help: "1 when the store answers (sessions, records), read at scrape time",
    labelNames: ["store"] as const,
    registers: [registry],
  }),
  outboxDepth: new Gauge({
    name: "chungtay_outbox_depth",
    help: "Records waiting in the outbox for MongoDB (-1: the outbox does not answer)",
    registers: [registry],
  }),
};
