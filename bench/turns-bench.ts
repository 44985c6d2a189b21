/**
 * `npm run bench`: many concurrent conversations doing the pledge flow, against real Redis and
 * FerretDB, through Chung Tay's Telegram webhook (and once its web chat entry point), and the same
 * load on a plain telegraf 4 bot with a Redis session and a 4-step wizard (bench/telegraf-wizard-bot.ts).
 * Reports turns/s, p50/p99 latency, the bot process's CPU milliseconds per turn and the CPU it
 * made Redis, FerretDB and the fake Bot API spend, and the ratio. Both bots run side by side and
 * are measured in alternation (BENCH_REPEATS times each, the order swapped every repeat), and the
 * latencies are pooled: on two shared cores one run's p99 moves ±15% between identical runs.
 * Two loads: closed (CONVERSATIONS at once, back to back: saturation) and open (pledges arriving
 * at BENCH_RATE turns/s whatever the bot's speed, as users do).
 * Env: BENCH_CONVERSATIONS (default 40), BENCH_ROUNDS (default 30), BENCH_REPEATS (default 3), BENCH_RATE (default 600),
 * BENCH_WARMUP_ROUNDS (default 3), BENCH_LOADS (closed,open), BENCH_STEPS=1 (latency per step), BENCH_JSON (write results),
 * BENCH_PROFILE (a folder: our bot writes a V8 CPU profile there when it stops), BENCH_NODE_FLAGS
 * (extra node flags for the bots, e.g. --trace-gc), BENCH_POOL (our MONGODB_POOL_SIZE), BENCH_REDIS_STATS=1
 * (Redis commands per run), BENCH_STRACE (a folder: system calls per run), REMINDER_SWEEP_MS (our bot's
 * reminder sweep, off during the bench by default).
 */
import { WebchatIdentity } from "../src/channels/webchat/webchat-identity.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, servicesAvailable, startFerretDb, startRedis } from "../test/support/services.ts";
import { BENCH_TEXTS, baselineReplies } from "./baseline-replies.ts";

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CLOSED = { kind: "closed", rounds: ROUNDS } as const;
/** The fixed offered load (turns/s) of the open phase: about 40% of what either bot sustains here. */
const RATE = Number(process.env.BENCH_RATE ?? 600);
/** Rounds each route runs before it is measured, so the JIT has compiled the hot paths (the first 1,000 turns of a fresh process cost noticeably more). */
const WARMUP = Number(process.env.BENCH_WARMUP_ROUNDS ?? 3);
/** Which loads run: "closed,open" (default), or one of them when digging into one. */
const LOADS = (process.env.BENCH_LOADS ?? "closed,open").split(",");
if (LOADS.some((l) => l !== "closed" && l !== "open"))
  throw new Error(`bench: BENCH_LOADS must name closed and/or open, not ${process.env.BENCH_LOADS}`);
const root = join(import.meta.dirname, "..");

interface Result {
  bot: string;
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  p50ms: number;
  p99ms: number;
  cpuMsPerTurn: number;
  /** Top-level Redis commands the bot sent per turn (Lua script calls count once). */
  redisCallsPerTurn: number;
  /** CPU per turn of the shared services this bot made work: Redis, FerretDB and the fake Bot API. */
  redisCpuMsPerTurn: number;
  ferretCpuMsPerTurn: number;
  apiCpuMsPerTurn: number;
  /** CPU per turn of this bench process (the load generator): what the bot's responses cost to read. */
  benchCpuMsPerTurn: number;
  /** sendMessage calls to the Bot API per turn (Telegram routes only). */
  messagesPerTurn?: number;
  errors: number;
}

let apiRoot = "";
async function sentMessages(): Promise<number> {
  return apiRoot
    ? ((await (await fetch(`${apiRoot}/count`)).json()) as { sendMessage: number }).sendMessage
    : 0;
}

/** Calls per command (`get`) and microseconds spent in it (`usec:get`), from INFO commandstats. */
async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  return Object.fromEntries(
    [...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/g)].flatMap((m) => [
      [m[1]!, Number(m[2])],
      [`usec:${m[1]!}`, Number(m[3])],
    ]),
  );
}

/**
 * The top-level commands each bot sends for a turn: our two scripts, telegraf's session GET/SET.
 * Counted by kind, since the other bot stays up (our idle BullMQ workers poll with other commands)
 * and commands run inside a script are counted by Redis too.
 */
const OUR_COMMANDS = ["evalsha", "eval"];
const TELEGRAF_COMMANDS = ["get", "set", "del"];

/** One conversation's turns: the same pledge, step for step, on both bots. */
type Script = Array<
  (conversation: number, round: number) => { url: string; body: object; headers?: Record<string, string> }
>;

const BENCH_TOKEN = "123456:bench";
const BENCH_SECRET = "bench-secret-0123456789";

/** The web chat takes only ids it signed: the bench signs them with the bot's secret. */
const WEBCHAT_SECRET = "bench-webchat-secret-0123456789abcdef";
const webchatIds = await WebchatIdentity.create(WEBCHAT_SECRET, undefined as never);
const issued = new Map<string, string>();
const webchatId = (key: string) => issued.get(key) ?? issued.set(key, webchatIds.issue()).get(key)!;

/** Ids unique across the warm-up and the measured run, so no turn is taken for a redelivery. */
let sequence = 0;

function ours(port: number, phase: string): Script {
  const url = `http://127.0.0.1:${port}/webchat/messages`;
  const turn = (text: string) => (c: number, r: number) => ({
    url,
    body: { userId: webchatId(`${phase}-${c}-${r}`), messageId: `bench-msg-${++sequence}`, text },
  });
  return BENCH_TEXTS.map(turn);
}

/** Chat ids far apart per phase, so no two phases share a chat. */
const phases = new Map<string, number>();
function phaseBase(phase: string): number {
  if (!phases.has(phase)) phases.set(phase, (phases.size + 1) * 10_000_000);
  return phases.get(phase)!;
}

/** Telegram updates for a chat, posted to a webhook path (with the secret header when given). */
function telegramUpdates(
  url: string,
  phase: string,
  texts: string[],
  headers?: Record<string, string>,
): Script {
  const turn = (text: string) => (c: number, r: number) => {
    const id = phaseBase(phase) + c * 1000 + r;
    const n = ++sequence;
    return {
      url,
      headers,
      body: {
        update_id: n,
        message: {
          message_id: n,
          date: 1_700_000_000,
          text,
          chat: { id, type: "private" },
          from: { id, is_bot: false, first_name: "Bench", language_code: "vi" },
          ...(text.startsWith("/")
            ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] }
            : {}),
        },
      },
    };
  };
  return texts.map(turn);
}

function telegraf(port: number, phase: string): Script {
  // The same words as ours after the command (its wizard takes any text there), so the load
  // generator encodes the same bytes for both bots.
  return telegramUpdates(`http://127.0.0.1:${port}/webhook`, phase, ["/pledge", ...BENCH_TEXTS.slice(1)], {
    "x-telegram-bot-api-secret-token": BENCH_SECRET,
  });
}

function oursOnTelegram(port: number, phase: string): Script {
  return telegramUpdates(`http://127.0.0.1:${port}/webhooks/telegram`, phase, BENCH_TEXTS, {
    "x-telegram-bot-api-secret-token": BENCH_SECRET,
  });
}

/** utime + stime of a process, in ms (from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Every process the bench started, killed when it ends (a failed run must not leave them holding the terminal). */
const children: ChildProcess[] = [];

/** Starts a bot and waits until its port answers HTTP. */
async function startBot(args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const flags = process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...profile, ...flags, "--import", "tsx", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: ${args.join(" ")} exited with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    if (Date.now() > until) {
      child.kill();
      throw new Error(`bench: ${args.join(" ")} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes whose CPU each run also reports: the services both bots share. */
const servicePids = { redis: 0, ferret: 0, api: 0 };
const serviceCpu = () => ({
  redis: cpuMs(servicePids.redis),
  ferret: cpuMs(servicePids.ferret),
  api: cpuMs(servicePids.api),
});

/** What one measured run saw, before pooling. */
interface Run {
  latencies: number[];
  bySteps: number[][];
  seconds: number;
  cpu: number;
  services: { redis: number; ferret: number; api: number };
  benchCpu: number;
  calls: number;
  messages: number;
  errors: number;
}

/**
 * BENCH_STRACE=<dir>: counts a bot's system calls during one run (`strace -c`, a file per run in
 * dir). Socket writes are the costliest thing both bots do here; this shows how many per turn.
 * strace slows the bot down, so latencies and CPU of a traced run mean nothing.
 */
async function traceSyscalls(pid: number, dir: string): Promise<() => Promise<void>> {
  const tracer = spawn("strace", [
    "-c",
    "-f",
    "-p",
    String(pid),
    "-o",
    join(dir, `${pid}-${Date.now()}.txt`),
  ]);
  await new Promise((r) => setTimeout(r, 1000)); // attached to every thread
  return async () => {
    tracer.kill("SIGINT");
    await new Promise((r) => tracer.once("exit", r));
  };
}

/**
 * How conversations arrive. closed: CONVERSATIONS at once, each doing `rounds` pledges back to back
 * (the machine saturates; latency is mostly queueing). open: a new conversation every 5/rate s,
 * whatever the bot's speed, each doing one pledge (a fixed offered load of `rate` turns/s).
 */
type Load = { kind: "closed"; rounds: number } | { kind: "open"; rate: number; conversations: number };

async function drive(
  child: ChildProcess,
  script: Script,
  load: Load,
  redis: Redis,
  commands: string[],
): Promise<Run> {
  const latencies: number[] = [];
  const bySteps: number[][] = script.map(() => []);
  let errors = 0;
  const stopTracing = process.env.BENCH_STRACE
    ? await traceSyscalls(child.pid!, process.env.BENCH_STRACE)
    : undefined;
  const statsBefore = await commandStats(redis);
  const messagesBefore = await sentMessages();
  const cpuBefore = cpuMs(child.pid!);
  const servicesBefore = serviceCpu();
  const benchBefore = process.cpuUsage();
  const pledge = async (c: number, r: number) => {
    for (const [si, step] of script.entries()) {
      const { url, body, headers } = step(c, r);
      const t0 = performance.now();
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      bySteps[si]!.push(performance.now() - t0);
      if (!res.ok || text.includes("sự cố") || text.includes('"duplicate":true')) errors++;
    }
  };
  const started = performance.now();
  if (load.kind === "closed") {
    await Promise.all(
      Array.from({ length: CONVERSATIONS }, async (_, c) => {
        for (let r = 0; r < load.rounds; r++) await pledge(c, r);
      }),
    );
  } else {
    const running: Promise<void>[] = [];
    const gapMs = (1000 * script.length) / load.rate;
    for (let c = 0; c < load.conversations; c++) {
      const wait = started + c * gapMs - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      running.push(pledge(c, 0));
    }
    await Promise.all(running);
  }
  const seconds = (performance.now() - started) / 1000;
  await stopTracing?.();
  const cpu = cpuMs(child.pid!) - cpuBefore;
  const servicesAfter = serviceCpu();
  const benchUsage = process.cpuUsage(benchBefore);
  const statsAfter = await commandStats(redis);
  const messages = (await sentMessages()) - messagesBefore;
  // BENCH_REDIS_STATS=1: every command Redis ran during the run, scripts' inner commands included.
  if (process.env.BENCH_REDIS_STATS)
    console.log(
      Object.entries(statsAfter)
        .map(([c, n]) => [c, n - (statsBefore[c] ?? 0)])
        .filter(([, n]) => n)
        .map(([c, n]) => `${c}=${n}`)
        .join(" "),
    );
  const calls = commands.reduce((n, c) => n + (statsAfter[c] ?? 0) - (statsBefore[c] ?? 0), 0);
  const services = {
    redis: servicesAfter.redis - servicesBefore.redis,
    ferret: servicesAfter.ferret - servicesBefore.ferret,
    api: servicesAfter.api - servicesBefore.api,
  };
  return {
    latencies,
    bySteps,
    seconds,
    cpu,
    services,
    benchCpu: (benchUsage.user + benchUsage.system) / 1000,
    calls,
    messages,
    errors,
  };
}

/** One row of the report: runs pooled (all their latencies, CPU and counts summed). */
function summarize(bot: string, runs: Run[]): Result {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const turns = latencies.length;
  const sum = (f: (r: Run) => number) => runs.reduce((n, r) => n + f(r), 0);
  const seconds = sum((r) => r.seconds);
  const perTurn = (ms: number) => Math.round((ms / turns) * 1000) / 1000;
  const at = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
  const pct = (p: number) => Math.round(at(latencies, p) * 10) / 10;
  // BENCH_STEPS=1: latency per step of the script (the confirm step saves the pledge).
  if (process.env.BENCH_STEPS) {
    const steps = runs[0]!.bySteps.map((_, i) => runs.flatMap((r) => r.bySteps[i]!).sort((a, b) => a - b));
    console.log(
      bot,
      steps.map((l) => `p50 ${at(l, 0.5).toFixed(1)} p99 ${at(l, 0.99).toFixed(1)}`).join(" | "),
    );
  }
  const messages = sum((r) => r.messages);
  return {
    bot,
    turns,
    seconds: Math.round(seconds * 100) / 100,
    turnsPerSecond: Math.round(turns / seconds),
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    cpuMsPerTurn: perTurn(sum((r) => r.cpu)),
    redisCpuMsPerTurn: perTurn(sum((r) => r.services.redis)),
    ferretCpuMsPerTurn: perTurn(sum((r) => r.services.ferret)),
    apiCpuMsPerTurn: perTurn(sum((r) => r.services.api)),
    benchCpuMsPerTurn: perTurn(sum((r) => r.benchCpu)),
    redisCallsPerTurn: Math.round((sum((r) => r.calls) / turns) * 100) / 100,
    ...(messages ? { messagesPerTurn: Math.round((messages / turns) * 100) / 100 } : {}),
    errors: sum((r) => r.errors),
  };
}

const ratios = (a: Result, b: Result) =>
  `CPU per turn ${(a.cpuMsPerTurn / b.cpuMsPerTurn).toFixed(2)}, p99 ${(a.p99ms / b.p99ms).toFixed(2)}, turns/s ${(a.turnsPerSecond / b.turnsPerSecond).toFixed(2)}`;

/**
 * The fake Bot API is a fresh Node process: its first few thousand requests are slower while its
 * JIT warms. Warm it before either bot is measured, or whichever bot runs first pays for it.
 */
async function warmFakeApi(): Promise<void> {
  const call = () =>
    fetch(`${apiRoot}/bot${BENCH_TOKEN}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: 1, text: "warm-up" }),
    }).then((r) => r.text());
  for (let i = 0; i < 100; i++) await Promise.all(Array.from({ length: CONVERSATIONS }, call));
}

/** Our bot serves before MongoDB is connected; measure only once /readyz says both stores are up. */
async function waitForMongo(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("bench: stores not ready");
}

async function main(): Promise<void> {
  if (!servicesAvailable("bench")) process.exit(1);
  const [redis, ferret] = await Promise.all([startRedis(), startFerretDb()]);
  const results: Result[] = [];
  const ratioLines: string[] = [];
  const stats = new Redis(redis.url);
  try {
    // The fake Bot API runs in its own process for both Telegram bots; its CPU is not counted.
    const apiPort = await freePort();
    const api = await startBot(["bench/fake-bot-api.ts"], { PORT: String(apiPort) }, apiPort);
    apiRoot = `http://127.0.0.1:${apiPort}`;
    Object.assign(servicePids, { redis: redis.pid, ferret: ferret.pid, api: api.pid });
    await warmFakeApi();

    const ourPort = await freePort();
    // The reminder sweep is background work, not a turn. On MongoDB it reads an index; FerretDB v1
    // scans every pledge (seconds of CPU by the end of a run), landing in whichever bot's window.
    const ourEnv = {
      PORT: String(ourPort),
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      MONGODB_URI: ferret.uri("bench_ours"),
      LOG_LEVEL: "warn",
      DATA_DIR: mkdtempSync(join(tmpdir(), "bench-")),
      TELEGRAM_BOT_TOKEN: `${BENCH_TOKEN}TokenForTheLocalFakeApi`,
      TELEGRAM_WEBHOOK_SECRET: BENCH_SECRET,
      TELEGRAM_API_ROOT: apiRoot,
      REMINDER_SWEEP_MS: process.env.REMINDER_SWEEP_MS ?? "3600000",
      WEBCHAT_SECRET,
      WEBCHAT_MESSAGES_PER_MIN: "100000", // one client sends every conversation's turns
      ...(process.env.BENCH_POOL ? { MONGODB_POOL_SIZE: process.env.BENCH_POOL } : {}),
    };
    const ourBot = await startBot(["src/main.ts"], ourEnv, ourPort);
    await waitForMongo(ourPort);

    const tgPort = await freePort();
    // Unless BENCH_BASELINE_SHORT=1, the baseline sends the very messages our bot sends.
    const repliesFile = join(mkdtempSync(join(tmpdir(), "bench-")), "baseline-replies.json");
    if (!process.env.BENCH_BASELINE_SHORT)
      writeFileSync(repliesFile, JSON.stringify(await baselineReplies()));
    const tgEnv = {
      PORT: String(tgPort),
      WEBHOOK_SECRET: BENCH_SECRET,
      REDIS_URL: redis.url,
      MONGODB_URI: ferret.uri("bench_telegraf"),
      TELEGRAM_API_ROOT: apiRoot,
      ...(process.env.BENCH_BASELINE_SHORT ? {} : { BASELINE_REPLIES: repliesFile }),
    };
    const tgBot = await startBot(["bench/telegraf-wizard-bot.ts"], tgEnv, tgPort);

    await drive(
      ourBot,
      oursOnTelegram(ourPort, "warm-up"),
      { kind: "closed", rounds: WARMUP },
      stats,
      OUR_COMMANDS,
    );
    await drive(ourBot, ours(ourPort, "warm-up"), { kind: "closed", rounds: WARMUP }, stats, OUR_COMMANDS);
    await drive(
      tgBot,
      telegraf(tgPort, "warm-up"),
      { kind: "closed", rounds: WARMUP },
      stats,
      TELEGRAF_COMMANDS,
    );
    // Alternate, swapping who goes first, so drift on the machine falls on both bots alike.
    const compare = async (label: string, load: Load): Promise<[Result, Result]> => {
      const oursRuns: Run[] = [];
      const theirRuns: Run[] = [];
      for (let rep = 0; rep < REPEATS; rep++) {
        const measureOurs = async () =>
          oursRuns.push(
            await drive(ourBot, oursOnTelegram(ourPort, `${label}${rep}`), load, stats, OUR_COMMANDS),
          );
        const measureTheirs = async () =>
          theirRuns.push(
            await drive(tgBot, telegraf(tgPort, `${label}${rep}`), load, stats, TELEGRAF_COMMANDS),
          );
        for (const measure of rep % 2 === 0 ? [measureOurs, measureTheirs] : [measureTheirs, measureOurs])
          await measure();
        const [o, t] = [summarize("ours", [oursRuns[rep]!]), summarize("telegraf", [theirRuns[rep]!])];
        console.log(
          `${label} repeat ${rep + 1}: ${ratios(o, t)} (ours ${o.cpuMsPerTurn} ms, p99 ${o.p99ms} ms; telegraf ${t.cpuMsPerTurn} ms, p99 ${t.p99ms} ms)`,
        );
      }
      return [
        summarize(`chung-tay via POST /webhooks/telegram (${label})`, oursRuns),
        summarize(`plain telegraf 4 + Redis session + wizard (${label})`, theirRuns),
      ];
    };
    if (LOADS.includes("closed")) {
      const [oursClosed, theirsClosed] = await compare("closed", CLOSED);
      const webchat = summarize("chung-tay via POST /webchat/messages (closed)", [
        await drive(ourBot, ours(ourPort, "run"), CLOSED, stats, OUR_COMMANDS),
      ]);
      results.push(oursClosed, webchat, theirsClosed);
      ratioLines.push(
        `ratio, pooled (ours via the Telegram route / telegraf), closed: ${ratios(oursClosed, theirsClosed)}`,
      );
    }
    if (LOADS.includes("open")) {
      const [oursOpen, theirsOpen] = await compare(`${RATE}/s`, {
        kind: "open",
        rate: RATE,
        conversations: CONVERSATIONS * ROUNDS,
      });
      results.push(oursOpen, theirsOpen);
      ratioLines.push(
        `ratio, pooled (ours via the Telegram route / telegraf), ${RATE} turns/s: ${ratios(oursOpen, theirsOpen)}`,
      );
    }
    for (const bot of [ourBot, tgBot]) {
      bot.kill();
      await new Promise((r) => bot.once("exit", r)); // lets a CPU profile be written
    }
    api.kill();
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    stats.disconnect();
    await Promise.all([redis.stop(), ferret.stop()]);
  }
  console.table(results);
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; closed: ${CONVERSATIONS} concurrent conversations × ${ROUNDS} pledges × 5 turns; open: ${CONVERSATIONS * ROUNDS} pledges arriving at ${RATE} turns/s; ${REPEATS} repeats per bot`,
  );
  for (const line of ratioLines) console.log(line);
  if (process.env.BENCH_JSON)
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({ results, at: new Date().toISOString() }, null, 2));
}

await main();
