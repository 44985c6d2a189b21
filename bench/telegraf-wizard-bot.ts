/**
 * The baseline for bench/turns-bench.ts: a plain telegraf 4 bot, as one would write it without
 * Chung Tay — a Redis-backed session (a small ioredis store) and a 4-step WizardScene for a
 * pledge (amount → method → consent → confirm, saving with mongoose). Replies go to the Bot API
 * over HTTP (telegraf 4.16 never answers sendMessage in the webhook response), here a local fake
 * (bench/fake-bot-api.ts) in another process. With BASELINE_REPLIES (a JSON file from
 * bench/baseline-replies.ts) each step sends exactly the message Chung Tay sends at that step;
 * without it, short messages of its own. Env: PORT, REDIS_URL, MONGODB_URI, TELEGRAM_API_ROOT, WEBHOOK_SECRET.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import mongoose from "mongoose";
import { Scenes, Telegraf, session } from "telegraf";
import type { SessionStore } from "telegraf";
import { parseAmount } from "../src/engine/amount-parser.ts";

const redis = new Redis(process.env.REDIS_URL!);
const store: SessionStore<object> = {
  async get(key) {
    const json = await redis.get(`tg:${key}`);
    return json ? (JSON.parse(json) as object) : undefined;
  },
  async set(key, value) {
    await redis.set(`tg:${key}`, JSON.stringify(value), "EX", 86_400);
  },
  async delete(key) {
    await redis.del(`tg:${key}`);
  },
};

const conn = await mongoose.createConnection(process.env.MONGODB_URI!).asPromise();
const Pledge = conn.model(
  "Pledge",
  new mongoose.Schema(
    {
      _id: String,
      reference: { type: String, unique: true },
      amount: Number,
      method: String,
      userKey: String,
      createdAt: String,
    },
    { versionKey: false },
  ),
);
await Pledge.createIndexes();

type State = { amount?: number; method?: string };
type Ctx = Scenes.WizardContext & {
  scene: Scenes.SceneContextScene<Scenes.WizardContext, Scenes.WizardSessionData>;
};
const text = (ctx: Ctx) => (ctx.message && "text" in ctx.message ? ctx.message.text : "");

type Payload = { text: string } & Record<string, unknown>;
const same: Payload[] | null = process.env.BASELINE_REPLIES
  ? JSON.parse(readFileSync(process.env.BASELINE_REPLIES, "utf8"))
  : null;
/** Chung Tay's message for this step when given, else the short one. */
const say = (ctx: Scenes.WizardContext, step: number, short: string, extra: object = {}, reference = "") => {
  const p = same?.[step];
  if (!p) return ctx.reply(short, extra);
  const { text: t, ...rest } = reference
    ? (JSON.parse(JSON.stringify(p).replaceAll("{ref}", reference)) as Payload)
    : p;
  return ctx.reply(t, rest);
};

const wizard = new Scenes.WizardScene<Scenes.WizardContext>(
  "pledge",
  async (ctx) => {
    await say(ctx, 0, "Bạn muốn ủng hộ bao nhiêu tiền?");
    return ctx.wizard.next();
  },
  async (ctx) => {
    const amount = parseAmount(text(ctx as Ctx));
    if (!amount) return ctx.reply("Tôi chưa đọc được số tiền.");
    (ctx.wizard.state as State).amount = amount;
    await say(ctx, 1, "Hình thức nào?", {
      reply_markup: {
        inline_keyboard: [
          [
            { text: "Tiền mặt", callback_data: "cash" },
            { text: "Chuyển khoản", callback_data: "transfer" },
          ],
        ],
      },
    });
    return ctx.wizard.next();
  },
  async (ctx) => {
    (ctx.wizard.state as State).method = text(ctx as Ctx);
    await say(ctx, 2, "Bạn có đồng ý cung cấp thông tin liên hệ không?");
    return ctx.wizard.next();
  },
  async (ctx) => {
    const s = ctx.wizard.state as State;
    await say(ctx, 3, `Xin kiểm tra lại: ${s.amount} đ, ${s.method}. Xác nhận?`);
    return ctx.wizard.next();
  },
  async (ctx) => {
    const s = ctx.wizard.state as State;
    const reference = `VNN-${randomUUID().slice(0, 8).toUpperCase()}`; // 8 hex digits: 6 collided within a bench run
    await Pledge.create({
      _id: randomUUID(),
      reference,
      amount: s.amount,
      method: s.method,
      userKey: String(ctx.from?.id),
      createdAt: new Date().toISOString(),
    });
    await say(ctx, 4, `Đã ghi nhận. Mã: ${reference}`, {}, reference);
    return ctx.scene.leave();
  },
);

const bot = new Telegraf<Scenes.WizardContext>("123456:bench", {
  telegram: { apiRoot: process.env.TELEGRAM_API_ROOT },
});
bot.botInfo = {
  id: 123456,
  is_bot: true,
  first_name: "Bench",
  username: "bench_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
};
bot.use(session({ store }));
bot.use(new Scenes.Stage<Scenes.WizardContext>([wizard]).middleware());
bot.command("pledge", (ctx) => ctx.scene.enter("pledge"));
bot.catch((err) => console.error("bench telegraf bot:", (err as Error).message));

// Like ours, it checks Telegram's secret header (WEBHOOK_SECRET), as a webhook bot should.
const webhook = bot.webhookCallback("/webhook", { secretToken: process.env.WEBHOOK_SECRET });
createServer((req, res) => (req.url === "/healthz" ? res.end("ok") : webhook(req, res))).listen(
  Number(process.env.PORT),
  "127.0.0.1",
);
// Exit cleanly on SIGTERM so a CPU profile (BENCH_PROFILE) is written.
process.once("SIGTERM", () => process.exit(0));
