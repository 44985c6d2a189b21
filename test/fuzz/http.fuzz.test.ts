import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawRequest } from "../support/raw-http.ts";
import {
  ADMIN_TOKEN,
  fuzzApp,
  ROUTES,
  SCALE,
  SEED,
  TELEGRAM_SECRET,
  ZALO_BOT_SECRET,
  type FuzzApp,
} from "./fuzz-app.ts";

let bot: FuzzApp;
beforeAll(async () => {
  bot = await fuzzApp();
}, 60_000);
afterAll(async () => {
  await bot?.close();
});

/** A request answers within this, whatever it holds (the body timeout is longer, and not used here). */
const BOUND_MS = 3_000;

const nasty = fc.constantFrom(
  "%",
  "%E0%A4%A",
  "%zz",
  "%00",
  "%C0%AF",
  "..",
  "//[",
  "[::1]",
  "\u00ff",
  "a".repeat(3000),
  "%2F",
  "?",
  "#",
  ";",
  "*",
);
const segment = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 40 }).map((s) => s.replace(/[\r\n ]/g, "")),
  nasty,
  fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/),
);
/** A route's path with its :params (and sometimes other segments) replaced by anything. */
const target = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([[, path], values, mangle]) => {
      let i = 0;
      const filled = path.replace(/:[a-z]+/g, () => values[i++ % values.length]!);
      return mangle ? `${filled}/${values.join("/")}` : filled;
    }),
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(fc.tuple(segment, segment), { maxLength: 4 }))
    .map(
      ([[, path], pairs]) =>
        `${path.replace(/:[a-z]+/g, "x")}?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`,
    ),
  fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join("/")}`),
  fc.constantFrom("//[", "*", "http://[", "http://x/admin/api/broadcasts/%E0%A4%A", "/%", "//", "/./../"),
);
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
const body = fc.oneof(
  fc.constant(""),
  json,
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.constantFrom('{"userId":"abcdefgh","messageId":"abcdefgh1","text":"1 triệu"}', "{", "[]", "null"),
);
const headers = fc.record(
  {
    auth: fc.constantFrom(`Bearer ${ADMIN_TOKEN}`, "Bearer wrong", "Basic x", ""),
    telegram: fc.constantFrom(TELEGRAM_SECRET, "nope", ""),
    zaloBot: fc.constantFrom(ZALO_BOT_SECRET, ""),
    zevent: fc.constantFrom("mac=" + "0".repeat(64), "mac=zz", ""),
    type: fc.constantFrom("application/json", "text/plain", "multipart/form-data; boundary=x", ""),
    extra: fc.string({ unit: "binary-ascii", maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, "")),
  },
  { requiredKeys: ["auth"] },
);

function request(
  method: string,
  path: string,
  h: Record<string, string | undefined>,
  payload: string,
): Buffer {
  const bytes = Buffer.from(payload, "utf8");
  const lines = [
    `${method} ${path} HTTP/1.1`,
    "Host: 127.0.0.1",
    "Connection: close",
    `Content-Length: ${bytes.length}`,
    h.auth ? `Authorization: ${h.auth}` : "",
    h.telegram ? `X-Telegram-Bot-Api-Secret-Token: ${h.telegram}` : "",
    h.zaloBot ? `X-Bot-Api-Secret-Token: ${h.zaloBot}` : "",
    h.zevent ? `X-ZEvent-Signature: ${h.zevent}` : "",
    h.type ? `Content-Type: ${h.type}` : "",
    h.extra ? `X-Fuzz: ${h.extra}` : "",
  ].filter(Boolean);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), bytes]);
}

async function stillServing(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
  expect(res.status).toBe(200);
}

describe("fuzz: HTTP requests", () => {
  it(
    "answers every route, with any path, query, headers and body, below 500 and in bounded time",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"),
          target,
          headers,
          body,
          async (method, path, h, payload) => {
            const answer = await rawRequest(bot.port, request(method, path, h, payload), BOUND_MS);
            expect(answer.ended).toBe("closed");
            expect(answer.status).not.toBeNull();
            expect(answer.status!).toBeLessThan(500);
          },
        ),
        { seed: SEED, numRuns: 800 * SCALE },
      );
      await stillServing();
      expect(bot.errors.map((e) => e.msg)).toEqual([]);
    },
    120_000 * SCALE,
  );

  it(
    "answers raw request lines and headers no client would send with a 4xx, and keeps serving",
    async () => {
      const line = fc.oneof(
        fc.string({ unit: "binary-ascii", maxLength: 80 }),
        fc
          .tuple(
            fc.constantFrom("GET", "POST", "G T", ""),
            fc.string({ unit: "binary-ascii", maxLength: 40 }),
          )
          .map(([m, t]) => `${m} ${t} HTTP/1.1`),
        fc.tuple(fc.string({ unit: "binary-ascii", maxLength: 30 })).map(([h]) => `GET / HTTP/1.1\r\n${h}`),
      );
      await fc.assert(
        fc.asyncProperty(line, async (l) => {
          const answer = await rawRequest(bot.port, `${l}\r\nHost: x\r\nConnection: close\r\n\r\n`, BOUND_MS);
          expect(answer.ended).toBe("closed");
          // Some lines are valid requests (a 2xx or a 404); none may be a 5xx or go unanswered.
          expect(answer.status).not.toBeNull();
          expect(answer.status!).toBeLessThan(500);
        }),
        { seed: SEED, numRuns: 400 * SCALE },
      );
      await stillServing();
    },
    120_000 * SCALE,
  );
});
