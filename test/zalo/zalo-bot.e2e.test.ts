import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer, startChannels } from "../../src/server.ts";
import { FakeZaloBot } from "../support/fake-zalo-bot.ts";
import { testApp } from "../support/test-app.ts";

const TOKEN = "2914723469:zalo-bot-test-token";
const SECRET = "zalo-bot-secret-0123";
let api: FakeZaloBot;
let app: App & { clock: { now: Date } };
let http: HttpServer;
let base = "";
let id = 0;

async function boot(): Promise<void> {
  app = await testApp({
    env: {
      ZALO_BOT_TOKEN: TOKEN,
      ZALO_BOT_WEBHOOK_SECRET: SECRET,
      ZALO_BOT_API_ROOT: api.root,
      ZALO_BOT_PUBLIC_URL: "https://bot.example.org",
    },
  });
  http = buildServer(app);
  await startChannels(app, http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

const update = (chat: string, text: string, event = "message.text.received", messageId = `zm-${++id}`) => ({
  event_name: event,
  message: {
    message_id: messageId,
    from: { id: chat, display_name: "An" },
    chat: { id: chat, chat_type: "PRIVATE" },
    date: 1_700_000_000,
    ...(event === "message.text.received" ? { text } : {}),
  },
});

async function deliver(body: object, secret: string | null = SECRET): Promise<number> {
  const res = await fetch(`${base}/webhooks/zalo-bot`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret ? { "x-bot-api-secret-token": secret } : {}) },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

async function say(chat: string, text: string, wrap = false): Promise<string> {
  const before = api.texts(chat).length;
  const u = update(chat, text);
  expect(await deliver(wrap ? { ok: true, result: u } : u)).toBe(200);
  return api.texts(chat).slice(before).join("\n---\n");
}

beforeAll(async () => {
  api = await new FakeZaloBot(TOKEN).start();
});
afterAll(async () => {
  await api.stop();
});
afterEach(async () => {
  await http.close();
  await app.close();
});

describe("Zalo Bot channel (botbuilder adapter against a fake Zalo Bot API)", () => {
  it("registers its webhook with the secret on start", async () => {
    await boot();
    expect(api.calls.find((c) => c.method === "setWebhook")?.body).toEqual({
      url: "https://bot.example.org/webhooks/zalo-bot",
      secret_token: SECRET,
    });
  });

  it("takes a pledge in Vietnamese, buttons as numbered choices, wrapped and bare updates alike", async () => {
    await boot();
    const chat = "zb-user-1";
    const menu = await say(chat, "xin chào");
    expect(menu).toContain("Xin chào");
    expect(menu).toMatch(/1\. 💝 Đăng ký ủng hộ/);
    expect(await say(chat, "1", true)).toContain("bao nhiêu tiền");
    expect(await say(chat, "2 triệu")).toMatch(/2\. Tiền mặt tại Mặt trận/);
    await say(chat, "2", true);
    await say(chat, "không");
    expect(await say(chat, "1")).toMatch(/Mã ủng hộ của bạn: VNN-[0-9A-Z]{6}/);
    expect(await app.records.pledges.listByUser(`zalo-bot:${chat}`)).toEqual([
      expect.objectContaining({ amount: 2_000_000, method: "cash", channel: "zalo-bot" }),
    ]);
    expect(api.calls.filter((c) => c.method === "sendChatAction").length).toBeGreaterThan(0);
  });

  it("answers the FAQ and SMS questions", async () => {
    await boot();
    app.clock.now = new Date("2019-10-20T09:00:00+07:00");
    expect(await say("zb-user-2", "nhan tin bao nhieu tien")).toContain("VNN n");
    await say("zb-user-2", "flow:sms_guidance");
    expect(await say("zb-user-2", "500k")).toContain("VNN 25 → 1408");
  });

  it("refuses a wrong or missing secret, ignores a repeated message id, answers non-text briefly", async () => {
    await boot();
    const calls = api.calls.length;
    expect(await deliver(update("zb-user-3", "menu"), "wrong-secret-123")).toBe(401);
    expect(await deliver(update("zb-user-3", "menu"), null)).toBe(401);
    expect(api.calls.length).toBe(calls);
    const u = update("zb-user-3", "menu", "message.text.received", "same-id");
    await deliver(u);
    const after = api.texts("zb-user-3").length;
    await deliver(u);
    expect(api.texts("zb-user-3").length).toBe(after);
    await deliver(update("zb-user-3", "", "message.image.received"));
    expect(api.texts("zb-user-3").at(-1)).toContain("Nếu đó là ảnh chuyển khoản");
    await deliver(update("zb-user-3", "", "message.sticker.received"));
    expect(api.texts("zb-user-3").at(-1)).toContain("chỉ đọc được tin nhắn chữ");
    expect(await deliver({ event_name: "something.new" })).toBe(200);
  });
});
