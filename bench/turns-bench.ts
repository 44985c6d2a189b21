/**
 * `npm run bench`: many concurrent conversations doing the pledge flow, against real Redis and
 * FerretDB, through Chung Tay's HTTP entry point (POST /webchat/messages), and the same load on
 * a plain telegraf 4 bot with a Redis session and a 4-step wizard (bench/telegraf-wizard-bot.ts).
 * Reports turns/s, p50/p99 latency and the bot process's CPU milliseconds per turn, and the ratio.
 * Env: BENCH_CONVERSATIONS (default 40), BENCH_ROUNDS (default 30), BENCH_WARMUP_ROUNDS (default 3), BENCH_JSON (write results),
 * BENCH_PROFILE (a folder: our bot writes a V8 CPU profile there when it stops).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort, servicesAvailable, startFerretDb, startRedis } from "../test/support/services.ts";
import { BENCH_TEXTS, baselineReplies } from "./baseline-replies.ts";

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/** Rounds each route runs before it is measured, so the JIT has compiled the hot paths (the first 1,000 turns of a fresh process cost noticeably more). */
const WARMUP = Number(process.env.BENCH_WARMUP_ROUNDS ?? 3);
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
  /** sendMessage calls to the Bot API per turn (Telegram routes only). */
  messagesPerTurn?: number;
  errors: number;
}

let apiRoot = "";
async function sentMessages(): Promise<number> {
  return apiRoot ? ((await (await fetch(`${apiRoot}/count`)).json()) as { sendMessage: number }).sendMessage : 0;
}

/** Calls per top-level command from INFO commandstats. */
async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  return Object.fromEntries([...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** What a bot sends to Redis itself: scripts for ours, GET/SET/DEL for telegraf's session. */
const CLIENT_COMMANDS = ["evalsha", "eval", "get", "set", "del", "hget", "hsetnx", "hgetall", "multi"];

/** One conversation's turns: the same pledge, step for step, on both bots. */
type Script = Array<(conversation: number, round: number) => { url: string; body: object; headers?: Record<string, string> }>;

const BENCH_TOKEN = "123456:bench";
const BENCH_SECRET = "bench-secret-0123456789";

/** Ids unique across the warm-up and the measured run, so no turn is taken for a redelivery. */
let sequence = 0;

function ours(port: number, phase: string): Script {
  const url = `http://127.0.0.1:${port}/webchat/messages`;
  const turn = (text: string) => (c: number, r: number) => ({ url, body: { userId: `bench-${phase}-${c}-${r}`, messageId: `bench-msg-${++sequence}`, text } });
  return BENCH_TEXTS.map(turn);
}

/** Telegram updates for a chat, posted to a webhook path (with the secret header when given). */
function telegramUpdates(url: string, phase: string, texts: string[], headers?: Record<string, string>): Script {
  const turn = (text: string) => (c: number, r: number) => {
    const id = (phase === "warm-up" ? 1_000_000 : 2_000_000) + c * 1000 + r;
    const n = ++sequence;
    return { url, headers, body: { update_id: n, message: { message_id: n, date: 1_700_000_000, text, chat: { id, type: "private" }, from: { id, is_bot: false, first_name: "Bench", language_code: "vi" }, ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.length }] } : {}) } } };
  };
  return texts.map(turn);
}

function telegraf(port: number, phase: string): Script {
  return telegramUpdates(`http://127.0.0.1:${port}/webhook`, phase, ["/pledge", "500k", "cash", "no", "yes"]);
}

function oursOnTelegram(port: number, phase: string): Script {
  return telegramUpdates(`http://127.0.0.1:${port}/webhooks/telegram`, phase, BENCH_TEXTS, { "x-telegram-bot-api-secret-token": BENCH_SECRET });
}

/** utime + stime of a process, in ms (from /proc, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Starts a bot and waits until its port answers HTTP. */
async function startBot(args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit"] });
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: ${args.join(" ")} exited with ${child.exitCode}`);
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
    if (up) return child;
    if (Date.now() > until) {
      child.kill();
      throw new Error(`bench: ${args.join(" ")} did not start`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function drive(name: string, child: ChildProcess, script: Script, rounds: number, redis: Redis): Promise<Result> {
  const latencies: number[] = [];
  const bySteps: number[][] = script.map(() => []);
  let errors = 0;
  const statsBefore = await commandStats(redis);
  const messagesBefore = await sentMessages();
  const cpuBefore = cpuMs(child.pid!);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONVERSATIONS }, async (_, c) => {
      for (let r = 0; r < rounds; r++) {
        for (const [si, step] of script.entries()) {
          const { url, body, headers } = step(c, r);
          const t0 = performance.now();
          const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
          const text = await res.text();
          latencies.push(performance.now() - t0);
          bySteps[si]!.push(performance.now() - t0);
          if (!res.ok || text.includes("sự cố") || text.includes('"duplicate":true')) errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(child.pid!) - cpuBefore;
  const statsAfter = await commandStats(redis);
  const messages = (await sentMessages()) - messagesBefore;
  // Commands run inside a Lua script are counted too (as get/set); subtract what scripts did by
  // counting only when the bot uses no scripts, else counting script calls alone.
  const usesScripts = (statsAfter.evalsha ?? 0) > (statsBefore.evalsha ?? 0);
  const counted = usesScripts ? ["evalsha", "eval", "hget", "hsetnx", "hgetall", "multi"] : CLIENT_COMMANDS;
  const calls = counted.reduce((n, c) => n + (statsAfter[c] ?? 0) - (statsBefore[c] ?? 0), 0);
  latencies.sort((a, b) => a - b);
  // BENCH_STEPS=1: latency per step of the script (the confirm step saves the pledge).
  if (process.env.BENCH_STEPS) console.log(name, bySteps.map((l) => { l.sort((a, b) => a - b); return `p50 ${l[Math.floor(l.length / 2)]!.toFixed(1)} p99 ${l[Math.floor(l.length * 0.99)]!.toFixed(1)}`; }).join(" | "));
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]! * 10) / 10;
  const turns = latencies.length;
  return { bot: name, turns, seconds: Math.round(seconds * 100) / 100, turnsPerSecond: Math.round(turns / seconds), p50ms: pct(0.5), p99ms: pct(0.99), cpuMsPerTurn: Math.round((cpu / turns) * 1000) / 1000, redisCallsPerTurn: Math.round((calls / turns) * 100) / 100, ...(messages ? { messagesPerTurn: Math.round((messages / turns) * 100) / 100 } : {}), errors };
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
  const stats = new Redis(redis.url);
  try {
    // The fake Bot API runs in its own process for both Telegram bots; its CPU is not counted.
    const apiPort = await freePort();
    const api = await startBot(["bench/fake-bot-api.ts"], { PORT: String(apiPort) }, apiPort);
    apiRoot = `http://127.0.0.1:${apiPort}`;

    const ourPort = await freePort();
    const ourEnv = { PORT: String(ourPort), HOST: "127.0.0.1", REDIS_URL: redis.url, MONGODB_URI: ferret.uri("bench_ours"), LOG_LEVEL: "warn", DATA_DIR: mkdtempSync(join(tmpdir(), "bench-")), TELEGRAM_BOT_TOKEN: `${BENCH_TOKEN}TokenForTheLocalFakeApi`, TELEGRAM_WEBHOOK_SECRET: BENCH_SECRET, TELEGRAM_API_ROOT: apiRoot };
    const ourBot = await startBot(["src/main.ts"], ourEnv, ourPort);
    await waitForMongo(ourPort);
    await drive("warm-up", ourBot, oursOnTelegram(ourPort, "warm-up"), WARMUP, stats);
    await drive("warm-up", ourBot, ours(ourPort, "warm-up"), WARMUP, stats);
    results.push(await drive("chung-tay via POST /webhooks/telegram", ourBot, oursOnTelegram(ourPort, "run"), ROUNDS, stats));
    results.push(await drive("chung-tay via POST /webchat/messages", ourBot, ours(ourPort, "run"), ROUNDS, stats));
    ourBot.kill();
    await new Promise((r) => ourBot.once("exit", r)); // lets a CPU profile be written

    const tgPort = await freePort();
    // Unless BENCH_BASELINE_SHORT=1, the baseline sends the very messages our bot sends.
    const repliesFile = join(mkdtempSync(join(tmpdir(), "bench-")), "baseline-replies.json");
    if (!process.env.BENCH_BASELINE_SHORT) writeFileSync(repliesFile, JSON.stringify(await baselineReplies()));
    const tgEnv = { PORT: String(tgPort), REDIS_URL: redis.url, MONGODB_URI: ferret.uri("bench_telegraf"), TELEGRAM_API_ROOT: apiRoot, ...(process.env.BENCH_BASELINE_SHORT ? {} : { BASELINE_REPLIES: repliesFile }) };
    const tgBot = await startBot(["bench/telegraf-wizard-bot.ts"], tgEnv, tgPort);
    await drive("warm-up", tgBot, telegraf(tgPort, "warm-up"), WARMUP, stats);
    results.push(await drive("plain telegraf 4 + Redis session + wizard", tgBot, telegraf(tgPort, "run"), ROUNDS, stats));
    tgBot.kill();
    await new Promise((r) => tgBot.once("exit", r));
    api.kill();
  } finally {
    stats.disconnect();
    await Promise.all([redis.stop(), ferret.stop()]);
  }
  const [viaTelegram, , b] = results as [Result, Result, Result];
  const a = viaTelegram;
  console.table(results);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; ${CONVERSATIONS} concurrent conversations × ${ROUNDS} pledges × 5 turns`);
  console.log(`ratio (ours via the Telegram route / telegraf): CPU per turn ${(a.cpuMsPerTurn / b.cpuMsPerTurn).toFixed(2)}, p99 ${(a.p99ms / b.p99ms).toFixed(2)}, turns/s ${(a.turnsPerSecond / b.turnsPerSecond).toFixed(2)}`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ results, at: new Date().toISOString() }, null, 2));
}

await main();
