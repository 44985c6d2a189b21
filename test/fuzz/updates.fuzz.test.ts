import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as tg from "../telegram/telegram-updates.ts";
import {
  fuzzApp,
  SCALE,
  SEED,
  TELEGRAM_SECRET,
  ZALO_BOT_SECRET,
  ZALO_OA_APP_ID,
  type FuzzApp,
} from "./fuzz-app.ts";

let bot: FuzzApp;
beforeAll(async () => {
  bot = await fuzzApp();
}, 60_000);
afterAll(async () => {
  await bot?.close();
});

type Json = Record<string, unknown>;

/** Every path to a field of an object, nested fields included ("message.from.id"). */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== "object") return [prefix];
  return [
    ...(prefix.length ? [prefix] : []),
    ...Object.entries(value as Json).flatMap(([k, v]) => paths(v, [...prefix, k])),
  ];
}

/** A copy with the field at `path` set to `value` (or removed when value is the removal mark). */
function mutate(update: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(update);
  let node = copy as Json;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  if (value === REMOVE) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
}
const REMOVE = Symbol("remove");

/** Values of every wrong type, and a few the right type but out of any range. */
const wrong = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(REMOVE, null, -1, 0, 1e308, NaN, "", "a".repeat(5000), [], {}, true, "1.".repeat(2048)),
);

/** An update and one of its fields set to a wrong value. */
function mutated(templates: () => Json[]) {
  return fc
    .constantFrom(...templates().map((_, i) => i))
    .chain((i) => {
      const t = templates()[i]!;
      return fc.tuple(fc.constant(t), fc.constantFrom(...paths(t)), wrong);
    })
    .map(([t, path, value]) => mutate(t, path, value));
}

async function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${bot.port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  await res.text();
  return res.status;
}

/** Errors a request caused: a turn or an update that failed is what a wrongly typed field must not do. */
const failures = () =>
  bot.errors.splice(0).map((e) => `${e.msg}: ${(e.err as { message?: string } | undefined)?.message ?? ""}`);

const person = { id: 4242, name: "An" };
const telegramUpdates = (): Json[] => [
  tg.text(person, "tôi muốn ủng hộ 500k"),
  tg.text(person, "/start ldld-ct"),
  tg.press(person, "flow:pledge"),
  tg.contact(person, "+84912345678"),
  tg.membership(person, "kicked"),
  tg.group(person, "/start@chungtay_test_bot"),
  tg.message(person, { photo: [{ file_id: "f", width: 1, height: 1 }] }),
];

describe("fuzz: platform updates with fields of the wrong type", () => {
  it(
    "Telegram: every field of every update kind; acknowledged with 200, no failed turn",
    async () => {
      await fc.assert(
        fc.asyncProperty(mutated(telegramUpdates), async (update) => {
          failures();
          const status = await post("/webhooks/telegram", JSON.stringify(update), {
            "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
          });
          expect(status).toBe(200);
          expect(failures()).toEqual([]);
        }),
        { seed: SEED, numRuns: 250 * SCALE },
      );
    },
    120_000 * SCALE,
  );

  it(
    "Zalo OA: every field of a signed event; acknowledged unless for another app or time, no failed turn",
    async () => {
      let n = 0;
      const events = (): Json[] => {
        const timestamp = String(Date.now());
        const base = { app_id: ZALO_OA_APP_ID, timestamp, recipient: { id: "oa" }, user_id_by_app: "a" };
        return [
          {
            ...base,
            event_name: "user_send_text",
            sender: { id: "u1" },
            message: { text: "500k", msg_id: "m" },
          },
          {
            ...base,
            event_name: "user_submit_info",
            sender: { id: "u1" },
            info: { name: "An", phone: "0912345678" },
          },
          { ...base, event_name: "follow", follower: { id: "u2" } },
          { ...base, event_name: "user_send_image", sender: { id: "u3" }, message: { msg_id: "i" } },
        ];
      };
      await fc.assert(
        fc.asyncProperty(mutated(events), async (event) => {
          // Unique message ids so each event is a turn, not a duplicate.
          const m = event.message as Json | undefined;
          if (m && typeof m === "object" && m.msg_id === "m") m.msg_id = `m${++n}`;
          const raw = JSON.stringify(event);
          const status = await post("/webhooks/zalo-oa", raw, {
            "x-zevent-signature": bot.signZalo(raw, String(event.timestamp)),
          });
          // Only a signed event for another app, or out of its time window, is refused.
          const ts = Number(event.timestamp);
          const authentic = event.app_id === ZALO_OA_APP_ID && Math.abs(Date.now() - ts) < 300_000;
          const wellTyped =
            typeof event.event_name === "string" &&
            typeof event.app_id === "string" &&
            ["string", "number"].includes(typeof event.timestamp);
          expect(status).toBe(!wellTyped || authentic ? 200 : 401);
        }),
        { seed: SEED, numRuns: 250 * SCALE },
      );
      await new Promise((r) => setTimeout(r, 500)); // OA turns run after the 200
      expect(failures()).toEqual([]);
    },
    120_000 * SCALE,
  );

  it(
    "Zalo Bot: every field of an update; acknowledged, no failed turn",
    async () => {
      let n = 0;
      const updates = (): Json[] => [
        {
          event_name: "message.text.received",
          message: {
            message_id: "z",
            from: { id: "c1", display_name: "An" },
            chat: { id: "c1", chat_type: "PRIVATE" },
            date: 1,
            text: "hi",
          },
        },
        {
          ok: true,
          result: {
            event_name: "message.image.received",
            message: { message_id: "z", from: { id: "c2" }, chat: { id: "c2" } },
          },
        },
      ];
      await fc.assert(
        fc.asyncProperty(mutated(updates), async (update) => {
          const m = (update.message ?? (update.result as Json | undefined)?.message) as Json | undefined;
          if (m && typeof m === "object" && m.message_id === "z") m.message_id = `z${++n}`;
          const status = await post("/webhooks/zalo-bot", JSON.stringify(update), {
            "x-bot-api-secret-token": ZALO_BOT_SECRET,
          });
          expect(status).toBe(200);
          expect(failures()).toEqual([]);
        }),
        { seed: SEED, numRuns: 200 * SCALE },
      );
    },
    120_000 * SCALE,
  );

  it(
    "web chat: every field of a message; 200 or 400, no failed turn",
    async () => {
      let n = 0;
      const messages = (): Json[] => [
        { userId: "fuzz-user-1", messageId: "x", text: "tôi góp 1 triệu", locale: "vi" },
        { userId: "fuzz-user-2", messageId: "x", payload: "flow:pledge" },
      ];
      await fc.assert(
        fc.asyncProperty(mutated(messages), async (message) => {
          if (message.messageId === "x") message.messageId = `fuzz-msg-${++n}`;
          const status = await post("/webchat/messages", JSON.stringify(message), {});
          expect([200, 400, 401]).toContain(status);
          expect(failures()).toEqual([]);
        }),
        { seed: SEED, numRuns: 200 * SCALE },
      );
    },
    120_000 * SCALE,
  );
});
