import { z } from "zod";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

const optionalUrl = (pattern: RegExp, example: string) =>
  z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.string().regex(pattern, `a URL such as ${example}`).optional(),
  );

/** Messages per second for broadcasts on a channel; "" is the default, 0 lifts the limit. */
const rate = (fallback: number) =>
  z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().min(0).max(1000).default(fallback));

/** Every setting, from environment variables; each has a default that runs the local demo. */
export const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("0.0.0.0"),
    DATA_DIR: z.string().min(1).default("./data"),
    FLOWS_DIR: z.string().min(1).default("./flows"),
    LOCALES_DIR: z.string().min(1).default("./locales"),
    NLU_DIR: z.string().min(1).default("./nlu"),
    DEFAULT_LANGUAGE: z.enum(["vi", "en"]).default("vi"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SESSION_TTL_DAYS: z.coerce.number().positive().max(365).default(30),
    DEDUPE_TTL_HOURS: z.coerce
      .number()
      .min(24)
      .max(24 * 30)
      .default(48),
    WEBCHAT_ENABLED: bool.default(true),
    /** Signs the web chat ids the server issues; without it one is made and kept in the key-value store. */
    WEBCHAT_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(32, "at least 32 characters").optional(),
    ),
    /** Messages (and, twice this, inbox polls) one IP address may send per minute. */
    WEBCHAT_MESSAGES_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(30),
    /** New web chat ids issued per minute: to one IP address, and in all. */
    WEBCHAT_SESSIONS_PER_IP_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(10),
    WEBCHAT_NEW_SESSIONS_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(300),
    /** Behind a reverse proxy: the client's address is the first of X-Forwarded-For. */
    WEBCHAT_TRUST_PROXY: bool.default(false),
    REDIS_URL: optionalUrl(/^rediss?:\/\//, "redis://localhost:6379"),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{1,32}$/, "letters, digits, : _ - (at most 32)")
      .default("ct:"),
    REDIS_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
    LOCK_TTL_MS: z.coerce.number().int().min(1_000).max(300_000).default(5_000),
    LOCK_WAIT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    MONGODB_URI: optionalUrl(/^mongodb(\+srv)?:\/\//, "mongodb://localhost:27017/chungtay"),
    MONGODB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
    MONGODB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    OUTBOX_DRAIN_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
    TELEGRAM_BOT_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "a BotFather token such as 123456789:AAH…")
        .optional(),
    ),
    TELEGRAM_MODE: z.enum(["webhook", "polling"]).default("webhook"),
    TELEGRAM_WEBHOOK_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "16 to 256 of A-Z a-z 0-9 _ -")
        .optional(),
    ),
    TELEGRAM_PUBLIC_URL: optionalUrl(
      /^https:\/\/[^\s/]+/,
      "https://bot.example.org (the webhook is registered at <url>/webhooks/telegram)",
    ),
    TELEGRAM_API_ROOT: z
      .string()
      .regex(/^https?:\/\//, "a URL such as https://api.telegram.org")
      .default("https://api.telegram.org"),
    TELEGRAM_STAFF_IDS: z
      .string()
      .regex(/^(\d+(\s*,\s*\d+)*)?$/, "comma-separated Telegram user ids")
      .default("")
      .transform((v) =>
        v
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    ZALO_OA_APP_ID: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^\d{5,30}$/, "the numeric Zalo app id")
        .optional(),
    ),
    ZALO_OA_WEBHOOK_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(8, "the secret used in X-ZEvent-Signature (OA secret key or app secret)").optional(),
    ),
    ZALO_APP_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(8, "the app secret (secret_key header of the OAuth refresh)").optional(),
    ),
    ZALO_OA_ACCESS_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(10, "an OA access token").optional(),
    ),
    ZALO_OA_REFRESH_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(10, "an OA refresh token").optional(),
    ),
    ZALO_OA_API_ROOT: z
      .string()
      .regex(/^https?:\/\//, "a URL such as https://openapi.zalo.me")
      .default("https://openapi.zalo.me"),
    ZALO_OAUTH_ROOT: z
      .string()
      .regex(/^https?:\/\//, "a URL such as https://oauth.zaloapp.com")
      .default("https://oauth.zaloapp.com"),
    ZALO_WEBHOOK_MAX_AGE_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(300_000),
    ZALO_BOT_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[A-Za-z0-9:_-]{10,}$/, "the Zalo Bot token")
        .optional(),
    ),
    ZALO_BOT_WEBHOOK_SECRET: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{8,256}$/, "8 to 256 of A-Z a-z 0-9 _ -")
        .optional(),
    ),
    ZALO_BOT_PUBLIC_URL: optionalUrl(
      /^https:\/\/[^\s/]+/,
      "https://bot.example.org (the webhook is registered at <url>/webhooks/zalo-bot)",
    ),
    ZALO_BOT_API_ROOT: z
      .string()
      .regex(/^https?:\/\//, "a URL such as https://bot-api.zaloplatforms.com")
      .default("https://bot-api.zaloplatforms.com"),
    // An empty value means the default, never 0 (0 lifts the limit and must be written out).
    BROADCAST_RATE_TELEGRAM: rate(25),
    BROADCAST_RATE_ZALO_OA: rate(10),
    BROADCAST_RATE_ZALO_BOT: rate(10),
    BROADCAST_RATE_WEBCHAT: rate(25),
    BROADCAST_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    BROADCAST_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(8),
    BROADCAST_WORKER: bool.default(true),
    BROADCAST_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    BROADCAST_MAX_WAIT_MS: z.coerce.number().int().min(10).max(3_600_000).default(900_000),
    BROADCAST_PAUSE_POLL_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
    QUIET_HOURS: z
      .string()
      .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, "HH:MM-HH:MM in Vietnam time, or off")
      .default("21:00-07:00"),
    REMINDER_DELAY_HOURS: z.coerce
      .number()
      .min(0)
      .max(24 * 60)
      .default(72),
    REMINDER_MAX: z.coerce.number().int().min(0).max(20).default(2),
    /** When staff get the day's totals on Telegram (HH:MM, Vietnam time), or off. */
    STAFF_DIGEST_AT: z
      .string()
      .regex(/^(off|([01]\d|2[0-3]):[0-5]\d)$/, "HH:MM in Vietnam time, or off")
      .default("20:00"),
    REMINDER_SWEEP_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
    ADMIN_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z.string().min(16, "at least 16 characters").optional(),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.ZALO_BOT_TOKEN && !c.ZALO_BOT_WEBHOOK_SECRET)
      ctx.addIssue({
        code: "custom",
        path: ["ZALO_BOT_WEBHOOK_SECRET"],
        message: "a secret (8 to 256 of A-Z a-z 0-9 _ -) when ZALO_BOT_TOKEN is set",
      });
    if (c.ZALO_OA_APP_ID) {
      for (const name of [
        "ZALO_OA_WEBHOOK_SECRET",
        "ZALO_APP_SECRET",
        "ZALO_OA_ACCESS_TOKEN",
        "ZALO_OA_REFRESH_TOKEN",
      ] as const)
        if (!c[name])
          ctx.addIssue({ code: "custom", path: [name], message: "a value when ZALO_OA_APP_ID is set" });
    }
    if (c.TELEGRAM_BOT_TOKEN && c.TELEGRAM_MODE === "webhook" && !c.TELEGRAM_WEBHOOK_SECRET)
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "a secret (16 to 256 of A-Z a-z 0-9 _ -) when TELEGRAM_MODE=webhook",
      });
  });

export type Config = z.infer<typeof configSchema>;

/** The names of every setting (for checks of .env.example and docker-compose.yml). */
export const configVariables: readonly string[] = Object.keys(configSchema.shape);

/** Raised at boot for a bad setting; one line naming each variable and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads the settings. An empty value (`PORT=` as copied from .env.example) means the default,
 * never 0 or "": a blank line in .env must not turn reminders off or pick a random port.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const given = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => !(configVariables.includes(k) && (v ?? "").trim() === "")),
  );
  const result = configSchema.safeParse(given);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map(
      (i) =>
        `${i.path.join(".")}=${JSON.stringify(env[String(i.path[0])] ?? "")}: expected ${
          i.code === "invalid_type" ? `a ${i.expected}` : i.message
        }`,
    ),
  );
}
