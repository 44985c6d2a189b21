import { createHash } from "node:crypto";
import { pino } from "pino";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { FakeZalo } from "../support/fake-zalo.ts";
import { FakeZaloBot } from "../support/fake-zalo-bot.ts";
import { testApp } from "../support/test-app.ts";

export const TELEGRAM_TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
export const TELEGRAM_SECRET = "s3cret_webhook-token-0123456789";
export const ZALO_BOT_TOKEN = "2914723469:zalo-bot-test-token";
export const ZALO_BOT_SECRET = "zalo-bot-secret-0123";
export const ZALO_OA_APP_ID = "4318005296214128567";
export const ZALO_OA_SECRET = "oa-secret-key-for-signatures";
export const ADMIN_TOKEN = "a-long-enough-admin-token-for-fuzzing";

/** How many cases: a few thousand in `npm test`, FUZZ_SCALE times more in `npm run fuzz:long`. */
export const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
/** Fixed, so a failure is reproduced by running again; fast-check prints the seed and path. */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

export interface FuzzApp {
  app: App & { clock: { now: Date } };
  port: number;
  /** Log lines at error level or above: a turn that failed, a handler that threw. */
  errors: Array<{ msg: string; [k: string]: unknown }>;
  signZalo(raw: string, timestamp: string): string;
  close(): Promise<void>;
}

/** The whole bot with every channel and the staff API on, against local fake platforms. */
export async function fuzzApp(): Promise<FuzzApp> {
  const telegram = await new FakeTelegram(TELEGRAM_TOKEN).start();
  const zalo = await new FakeZalo(ZALO_OA_APP_ID, "app-secret-for-oauth-refresh").start();
  const zaloBot = await new FakeZaloBot(ZALO_BOT_TOKEN).start();
  const errors: FuzzApp["errors"] = [];
  const log = pino(
    { level: "error" },
    { write: (line: string) => void errors.push(JSON.parse(line) as FuzzApp["errors"][number]) },
  );
  const app = await testApp({
    log,
    env: {
      ADMIN_TOKEN,
      // Every case comes from one address: the per-IP limits are tested in test/webchat.test.ts.
      WEBCHAT_MESSAGES_PER_MIN: "100000",
      WEBCHAT_SESSIONS_PER_IP_PER_MIN: "100000",
      WEBCHAT_NEW_SESSIONS_PER_MIN: "100000",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: telegram.root,
      TELEGRAM_MODE: "webhook",
      ZALO_BOT_TOKEN,
      ZALO_BOT_WEBHOOK_SECRET: ZALO_BOT_SECRET,
      ZALO_BOT_API_ROOT: zaloBot.root,
      ZALO_OA_APP_ID,
      ZALO_OA_WEBHOOK_SECRET: ZALO_OA_SECRET,
      ZALO_APP_SECRET: "app-secret-for-oauth-refresh",
      ZALO_OA_ACCESS_TOKEN: zalo.accessToken,
      ZALO_OA_REFRESH_TOKEN: zalo.refreshToken,
      ZALO_OA_API_ROOT: zalo.root,
      ZALO_OAUTH_ROOT: zalo.root,
    },
  });
  app.clock.now = new Date();
  const http: HttpServer = buildServer(app);
  const services = await startServices(app, http);
  const port = await http.listen(0, "127.0.0.1");
  return {
    app,
    port,
    errors,
    signZalo: (raw, timestamp) =>
      `mac=${createHash("sha256")
        .update(ZALO_OA_APP_ID + raw + timestamp + ZALO_OA_SECRET)
        .digest("hex")}`,
    close: async () => {
      await services.stop();
      await http.close();
      await app.close();
      await Promise.all([telegram.stop(), zalo.stop(), zaloBot.stop()]);
    },
  };
}

/** Every route the bot serves, with :name segments as they are declared. */
export const ROUTES: Array<[string, string]> = [
  ["GET", "/"],
  ["GET", "/favicon.ico"],
  ["GET", "/healthz"],
  ["GET", "/readyz"],
  ["GET", "/metrics"],
  ["POST", "/webchat/session"],
  ["POST", "/webchat/messages"],
  ["GET", "/webchat/inbox"],
  ["POST", "/webhooks/telegram"],
  ["POST", "/webhooks/zalo-oa"],
  ["POST", "/webhooks/zalo-bot"],
  ["GET", "/admin/api/stats"],
  ["GET", "/admin/api/handoffs"],
  ["POST", "/admin/api/handoffs/:id/reply"],
  ["GET", "/admin/api/pledges"],
  ["POST", "/admin/api/pledges/status"],
  ["GET", "/admin/api/audit"],
  ["GET", "/admin/api/broadcasts"],
  ["POST", "/admin/api/broadcasts"],
  ["GET", "/admin/api/broadcasts/:id"],
  ["GET", "/admin/api/broadcasts/:id/preview"],
  ["POST", "/admin/api/broadcasts/:id/test"],
  ["POST", "/admin/api/broadcasts/:id/start"],
  ["POST", "/admin/api/broadcasts/:id/pause"],
  ["POST", "/admin/api/broadcasts/:id/resume"],
  ["POST", "/admin/api/broadcasts/:id/cancel"],
];
