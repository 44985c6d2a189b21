/**
 * `npm run bench:broadcast`: one broadcast to BENCH_SUBSCRIBERS (default 100,000) synthetic
 * Telegram subscribers, sent by one worker process (src/main.ts on real Redis/BullMQ) to the
 * fake Bot API (its own process, which timestamps every sendMessage and counts per chat).
 *   1. limited: BROADCAST_RATE_TELEGRAM=25 for BENCH_WINDOW_S (default 60) seconds, then cancelled:
 *      measured rate, and the most messages in any 1-second window.
 *   2. unlimited: the limit lifted, the whole audience: messages/s, worker CPU per message,
 *      and that no chat got two messages.
 * Env: BENCH_SUBSCRIBERS, BENCH_WINDOW_S, BENCH_CONCURRENCY, BENCH_BATCH, BENCH_JSON (write results).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, servicesAvailable, startRedis } from "../test/support/services.ts";

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 60);
const CONCURRENCY = process.env.BENCH_CONCURRENCY ?? "8";
const BATCH = process.env.BENCH_BATCH ?? "50";
const TOKEN = "123456789:AAHbenchTokenForTheFakeBotApi";
const ADMIN = "bench-admin-token-0123456789";
const root = join(import.meta.dirname, "..");

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function waitFor<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`bench: timed out (last ${JSON.stringify(v)?.slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

interface Stats {
  sendMessage: number;
  chats: number;
  duplicates: number;
  times: number[];
}

/** The most arrivals within any 1-second window. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

async function run(phase: "limited" | "unlimited", redisUrl: string, apiRoot: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `chungtay-bench-${phase}-`));
  const at = new Date().toISOString();
  // The embedded store reads its JSON at start; the ledger, limits and queues are in Redis.
  const subs = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
    channel: "telegram",
    userId: String(10_000_000 + i),
    lang: i % 5 ? "vi" : "en",
    optedIn: true,
    optedAt: at,
    blocked: false,
  }));
  writeFileSync(join(dataDir, "subscribers.json"), JSON.stringify(subs));
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${phase}:`,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: "bench-secret-0123456789",
    TELEGRAM_API_ROOT: apiRoot,
    ADMIN_TOKEN: ADMIN,
    QUIET_HOURS: "off",
    LOG_LEVEL: "warn",
    WEBCHAT_ENABLED: "false",
    BROADCAST_RATE_TELEGRAM: phase === "limited" ? "25" : "0",
    BROADCAST_CONCURRENCY: CONCURRENCY,
    BROADCAST_BATCH_SIZE: BATCH,
  };
  const worker = start(["src/main.ts"], env);
  const base = `http://127.0.0.1:${port}`;
  const admin = async (method: string, path: string, body?: object) =>
    (
      await fetch(`${base}/admin/api/broadcasts${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: body && JSON.stringify(body),
      })
    ).json() as Promise<any>;
  try {
    await waitFor(
      () => fetch(`${base}/healthz`).then((r) => r.status),
      (s) => s === 200,
      60_000,
    );
    await fetch(`${apiRoot}/reset`, { method: "POST" });
    const { broadcast } = await admin("POST", "", {
      title: `bench ${phase}`,
      message: { key: "broadcast.sms_window" },
      buttons: [{ label: { key: "broadcast.pledge_button" }, payload: "flow:pledge" }],
    });
    const cpuBefore = cpuMs(worker.pid!);
    await admin("POST", `/${broadcast.id}/start`);
    let stats: Stats;
    if (phase === "limited") {
      await new Promise((r) => setTimeout(r, WINDOW_S * 1_000));
      await admin("POST", `/${broadcast.id}/cancel`);
      await new Promise((r) => setTimeout(r, 2_000));
      stats = (await (await fetch(`${apiRoot}/stats`)).json()) as Stats;
    } else {
      await waitFor(
        () => admin("GET", `/${broadcast.id}`),
        (b) => b.report?.status === "done",
        30 * 60_000,
      );
      stats = (await (await fetch(`${apiRoot}/stats`)).json()) as Stats;
    }
    const cpu = cpuMs(worker.pid!) - cpuBefore;
    const report = (await admin("GET", `/${broadcast.id}`)).report;
    const t = stats.times.sort((a, b) => a - b);
    const seconds = (t.at(-1)! - t[0]!) / 1_000;
    return {
      phase,
      subscribers: SUBSCRIBERS,
      messages: stats.sendMessage,
      seconds: Math.round(seconds * 100) / 100,
      messagesPerSecond: Math.round(((t.length - 1) / seconds) * 100) / 100,
      busiestSecond: busiestSecond(t),
      duplicates: stats.duplicates,
      workerCpuMsPerMessage: Math.round((cpu / stats.sendMessage) * 1000) / 1000,
      report,
    };
  } finally {
    if (worker.exitCode === null) {
      worker.kill("SIGTERM");
      await new Promise((r) => worker.once("exit", r));
    }
  }
}

async function main(): Promise<void> {
  if (!servicesAvailable("broadcast bench")) process.exit(1);
  const redis = await startRedis();
  const apiPort = await freePort();
  const api = start(["bench/fake-bot-api.ts"], { PORT: String(apiPort) });
  const apiRoot = `http://127.0.0.1:${apiPort}`;
  try {
    await waitFor(
      () => fetch(`${apiRoot}/healthz`).then((r) => r.status),
      (s) => s === 200,
      30_000,
    );
    const results = [];
    for (const phase of ["limited", "unlimited"] as const) {
      const r = await run(phase, redis.url, apiRoot);
      console.log(JSON.stringify(r));
      results.push(r);
    }
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${SUBSCRIBERS} subscribers, concurrency ${CONCURRENCY}, batch ${BATCH}`,
    );
    if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
  } finally {
    api.kill();
    await redis.stop();
  }
}

void main();
