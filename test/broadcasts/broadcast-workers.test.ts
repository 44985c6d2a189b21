import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { freePort, servicesAvailable, startFerretDb, startRedis } from "../support/services.ts";
import { testApp } from "../support/test-app.ts";

/**
 * Broadcasts on BullMQ with real Redis and FerretDB: workers in several processes share the
 * work and one rate limit per channel, and a worker killed mid-send does not make anyone get
 * the message twice.
 */
const available = servicesAvailable("broadcast workers");
const TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
const SECRET = "s3cret_webhook-token-0123456789";
const ADMIN = "admin-token-0123456789abcdef";

let redis: Awaited<ReturnType<typeof startRedis>>;
let ferret: Awaited<ReturnType<typeof startFerretDb>>;
let api: FakeTelegram;
const running: Array<{ stop(): Promise<void> }> = [];
const children: ChildProcess[] = [];

function env(db: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    MONGODB_URI: ferret.uri(db),
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: api.root,
    ADMIN_TOKEN: ADMIN,
    QUIET_HOURS: "off",
    BROADCAST_LOCK_MS: "1000",
    BROADCAST_PAUSE_POLL_MS: "50",
    ...extra,
  };
}

/** A bot process's worth of services, in this process. */
async function worker(vars: Record<string, string>): Promise<App> {
  const app = await testApp({ env: vars });
  const http: HttpServer = buildServer(app);
  const services = await startServices(app, http);
  running.push({ stop: async () => (await services.stop(), await app.close()) });
  return app;
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function seed(app: App, ids: number[]): Promise<void> {
  await until(
    () => app.records.ping(),
    (up) => up,
  );
  for (const id of ids)
    await app.records.subscribers.setOptIn("telegram", String(id), true, "vi", new Date());
}

const message = {
  title: "t",
  message: { text: { vi: "Tháng cao điểm bắt đầu ngày mai" } },
  buttons: [],
  links: [],
  audience: {},
};

describe.runIf(available)("broadcast workers on BullMQ", () => {
  beforeAll(async () => {
    [redis, ferret, api] = await Promise.all([
      startRedis(),
      startFerretDb(),
      new FakeTelegram(TOKEN).start(),
    ]);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
    for (const r of running.splice(0)) await r.stop();
    api.clear();
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), ferret?.stop(), api?.stop()]);
  });

  it("two bot instances (own connections and BullMQ workers) share the work and one Telegram rate limit; everyone gets it once", async () => {
    const vars = env("bc_shared", "shared:", {
      BROADCAST_RATE_TELEGRAM: "20",
      BROADCAST_BATCH_SIZE: "5",
      BROADCAST_CONCURRENCY: "3",
    });
    const [a] = [await worker(vars), await worker(vars)];
    const ids = Array.from({ length: 50 }, (_, i) => 1_000 + i);
    await seed(a!, ids);
    const b = await a!.broadcasts!.create(message, "test");
    await a!.broadcasts!.start(b.id, "test");
    const r = await until(
      () => a!.broadcasts!.report(b.id),
      (x) => x.status === "done",
    );
    expect(r).toMatchObject({ queued: 50, sent: 50, failed: 0, unconfirmed: 0 });
    for (const id of ids) expect(api.sent(id)).toHaveLength(1);
    // Never more than 20 in any one-second window, across both instances. Arrival times are taken
    // in this process, where a busy moment delays the handler of a message that left on time; so
    // the window is 950 ms: 21 sends take at least 1,015 ms at 20/s (slots 50.75 ms apart), and
    // two limits not shared (40/s) would put about 38 in it.
    const times = api.calls
      .filter((c) => c.method === "sendMessage")
      .map((c) => c.at)
      .sort((x, y) => x - y);
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 950) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(20);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(2_000); // 50 at 20/s take about 2.5 s
  });

  it("schedules the staff digest once in Redis for every process, at STAFF_DIGEST_AT in Vietnam time, and removes it when off", async () => {
    const control = new Queue("broadcast-control", { connection: { url: redis.url }, prefix: "digest:bull" });
    try {
      await worker(env("bc_digest", "digest:", { STAFF_DIGEST_AT: "19:30" }));
      await worker(env("bc_digest", "digest:", { STAFF_DIGEST_AT: "19:30" }));
      expect(await control.getJobSchedulersCount()).toBe(2); // the reminder sweep and the digest, whatever the number of processes
      expect(await control.getJobScheduler("staff-digest")).toMatchObject({
        pattern: "30 19 * * *",
        tz: "Asia/Ho_Chi_Minh",
      });
      await worker(env("bc_digest", "digest:", { STAFF_DIGEST_AT: "off" }));
      expect(await control.getJobScheduler("staff-digest")).toBeUndefined();
    } finally {
      await control.close();
    }
  });

  it("a worker process killed mid-send is replaced, and every recipient gets exactly one message", async () => {
    const vars = env("bc_kill", "kill:", {
      BROADCAST_RATE_TELEGRAM: "0",
      BROADCAST_BATCH_SIZE: "10",
      BROADCAST_CONCURRENCY: "1",
      LOG_LEVEL: "silent",
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "chungtay-kill-")),
    });
    const seeder = await testApp({ env: { MONGODB_URI: vars.MONGODB_URI! } });
    const ids = Array.from({ length: 40 }, (_, i) => 2_000 + i);
    await seed(seeder, ids);
    await seeder.close();

    const bot = async () => {
      const port = await freePort();
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { ...process.env, ...vars, PORT: String(port) },
        stdio: "ignore",
      });
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      await until(
        () => fetch(`${base}/healthz`).then((r) => r.status),
        (s) => s === 200,
      );
      return { child, base };
    };
    const adminCall = (base: string, method: string, path: string, body?: object) =>
      fetch(`${base}/admin/api/broadcasts${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: body && JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>);

    let release!: () => void;
    const held = api.holdCall("sendMessage", 15, new Promise<void>((r) => (release = r)));
    const first = await bot();
    const { broadcast } = await adminCall(first.base, "POST", "", message);
    await adminCall(first.base, "POST", `/${broadcast.id}/start`);
    await held; // the 15th message reached Telegram, its answer is held back...
    first.child.kill("SIGKILL"); // ...and the worker dies before it learns it went out
    await new Promise((r) => first.child.once("exit", r));
    release();

    const second = await bot();
    const done = await until(
      () => adminCall(second.base, "GET", `/${broadcast.id}`),
      (x) => x.report?.status === "done",
    );
    for (const id of ids) expect(api.sent(id)).toHaveLength(1);
    expect(done.report).toMatchObject({ queued: 40, sent: 39, unconfirmed: 1, failed: 0, pending: 0 });
  }, 60_000); // kills and restarts a worker process: generous under a loaded CI machine

  it("broadcasts again after a Redis restart, without restarting the bot", async () => {
    const app = await worker(
      env("bc_restart", "restart:", { BROADCAST_RATE_TELEGRAM: "0", REDIS_TIMEOUT_MS: "500" }),
    );
    await seed(app, [3_001, 3_002]);
    await redis.restart(); // queues, workers, the ledger and the limiter lose their connections (and, here, their data)
    const b = await until(
      () => app.broadcasts!.create(message, "test"),
      (x) => Boolean(x),
    );
    await until(
      () => app.broadcasts!.start(b.id, "test"),
      (x) => Boolean(x),
    );
    expect(
      await until(
        () => app.broadcasts!.report(b.id),
        (x) => x.status === "done",
      ),
    ).toMatchObject({ sent: 2 });
    for (const id of [3_001, 3_002]) expect(api.sent(id)).toHaveLength(1);
  });
});
