import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer } from "../../src/server.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { testApp } from "../support/test-app.ts";
import * as tg from "./telegram-updates.ts";

const TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
const SECRET = "s3cret_webhook-token-0123456789";
const STAFF = 555;

let api: FakeTelegram;
let app: App & { clock: { now: Date } };
let http: HttpServer;
let base = "";

let channel: TelegramChannel;

async function boot(env: Record<string, string> = {}): Promise<void> {
  app = await testApp({
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: api.root,
      TELEGRAM_PUBLIC_URL: "https://bot.example.org",
      TELEGRAM_STAFF_IDS: String(STAFF),
      ...env,
    },
  });
  http = buildServer(app);
  channel = new TelegramChannel(app);
  await channel.start(http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

async function deliver(update: object, secret: string | null = SECRET): Promise<number> {
  const res = await fetch(`${base}/webhooks/telegram`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }),
    },
    body: JSON.stringify(update),
  });
  await res.text();
  return res.status;
}

/** Delivers an update and returns the texts the bot sent in answer. */
async function say(update: object): Promise<string> {
  const before = api.sent().length;
  expect(await deliver(update)).toBe(200);
  return api
    .sent()
    .slice(before)
    .map((m) => m.text)
    .join("\n---\n");
}

const lastMarkup = () => api.sent().at(-1)?.reply_markup;
const callbacks = (m: any) => (m?.inline_keyboard ?? []).flat().map((b: any) => b.callback_data ?? b.url);

beforeAll(async () => {
  api = await new FakeTelegram(TOKEN).start();
});
afterAll(async () => {
  await api.stop();
});
afterEach(async () => {
  channel.stop();
  await http.close();
  await app.close();
  api.clear();
});

describe("Telegram channel (telegraf against a fake Bot API)", () => {
  it("registers its webhook with the secret and the update types, and a localized public command menu", async () => {
    await boot();
    const webhook = api.calls.find((c) => c.method === "setWebhook")!;
    expect(webhook.body).toMatchObject({
      url: "https://bot.example.org/webhooks/telegram",
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query", "my_chat_member"],
    });
    const menus = api.calls.filter((c) => c.method === "setMyCommands");
    const vi = menus.find((c) => c.body.language_code === "vi")!;
    const en = menus.find((c) => c.body.language_code === "en")!;
    expect(vi.body.commands).toContainEqual({ command: "cancel", description: "Hủy việc đang làm" });
    expect(en.body.commands).toContainEqual({ command: "cancel", description: "Cancel what you are doing" });
    for (const public_ of [vi, en, menus.find((c) => !c.body.language_code && !c.body.scope)!])
      expect(public_.body.commands.map((c: any) => c.command)).not.toContain("stats");
    expect(
      menus.find((c) => c.body.scope?.chat_id === STAFF)!.body.commands.map((c: any) => c.command),
    ).toEqual(expect.arrayContaining(["stats", "paid", "reply"]));
  });

  it("works by long polling on a developer's machine", async () => {
    await boot({ TELEGRAM_MODE: "polling", TELEGRAM_PUBLIC_URL: "" });
    expect(api.calls.map((c) => c.method)).toContain("deleteWebhook");
    expect(api.calls.map((c) => c.method)).not.toContain("setWebhook");
    api.queueUpdate(tg.text({ id: 1010 }, "ung ho ntn"));
    for (let i = 0; i < 50 && api.sent(1010).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(
      api
        .sent(1010)
        .map((m) => m.text)
        .join(),
    ).toContain("chuyển khoản");
    expect(api.calls.find((c) => c.method === "getUpdates")?.body.allowed_updates).toEqual([
      "message",
      "callback_query",
      "my_chat_member",
    ]);
  });

  it("takes a full pledge in Vietnamese with buttons and a shared contact", async () => {
    await boot();
    const an: tg.Person = { id: 1001, lang: "vi" };
    expect(await say(tg.text(an, "/start"))).toContain("Xin chào");
    expect(callbacks(lastMarkup())).toContain("flow:pledge");
    expect(await say(tg.press(an, "flow:pledge"))).toContain("bao nhiêu tiền");
    expect(api.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    expect(await say(tg.text(an, "1,5 triệu"))).toContain("1.500.000 đ");
    await say(tg.press(an, "v:transfer"));
    await say(tg.press(an, "v:yes"));
    await say(tg.text(an, "Nguyễn Văn An"));
    expect(lastMarkup()).toMatchObject({ keyboard: [[{ request_contact: true }]], one_time_keyboard: true });
    // A contact card of someone else is not taken as the user's number.
    expect(await say(tg.contact(an, "+84911111111", 4242))).toContain("chỉ đọc được");
    await say(tg.contact(an, "+84 912 345 678"));
    await say(tg.text(an, "Công đoàn <b>X</b> & Co"));
    const summary = await say(tg.press(an, "v:skip"));
    // Escaped, so what a user types cannot break or inject markup (the fake refuses bad HTML).
    expect(summary).toContain("Công đoàn &lt;b&gt;X&lt;/b&gt; &amp; Co");
    expect(summary).toContain("0912 345 678");
    const saved = await say(tg.press(an, "v:confirm"));
    expect(saved).toMatch(/Mã ủng hộ của bạn: VNN-[0-9A-Z]{6}/);
    const [pledge] = await app.records.pledges.listByUser("telegram:1001");
    expect(pledge).toMatchObject({
      amount: 1_500_000,
      method: "transfer",
      phone: "+84912345678",
      channel: "telegram",
    });
    // Every button press (5) was answered, so no client spinner hangs.
    expect(api.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(5);
  });

  it("takes a pledge in English for a user whose Telegram is in English", async () => {
    await boot();
    const jo: tg.Person = { id: 1051, lang: "en" };
    expect(await say(tg.text(jo, "/start"))).toContain("Hello! I am Chung Tay");
    expect(await say(tg.text(jo, "I want to donate"))).toContain("How much would you like to give");
    expect(await say(tg.text(jo, "200k"))).toContain("200,000 VND");
    expect(await say(tg.press(jo, "v:cash"))).toContain("Do you agree");
    expect(await say(tg.press(jo, "v:no"))).toContain("No personal data kept");
    expect(await say(tg.press(jo, "v:confirm"))).toMatch(
      /Your pledge of 200,000 VND is recorded\. Your reference code: VNN-/,
    );
    expect(await app.records.pledges.listByUser("telegram:1051")).toHaveLength(1);
  });

  it("answers the FAQ and gives SMS guidance in both languages, following the platform language", async () => {
    await boot();
    app.clock.now = new Date("2019-10-20T09:00:00+07:00");
    expect(await say(tg.text({ id: 1101, lang: "vi" }, "nhan tin bao nhieu tien"))).toContain("VNN n");
    const sms = await say(tg.press({ id: 1101, lang: "vi" }, "flow:sms_guidance"));
    expect(sms).toContain("bao nhiêu tiền qua tin nhắn");
    expect(await say(tg.text({ id: 1101, lang: "vi" }, "500k"))).toContain("📱 VNN 25 → 1408");
    expect(await say(tg.text({ id: 1102, lang: "en" }, "when is the peak month?"))).toContain(
      "until the end of 18/11/2019",
    );
    await say(tg.press({ id: 1102, lang: "en" }, "flow:sms_guidance"));
    expect(await say(tg.text({ id: 1102, lang: "en" }, "2 million"))).toContain("1 × “VNN 100”");
    // The portal link is a URL button; sms: links (not allowed on Telegram buttons) are text.
    await say(tg.text({ id: 1102, lang: "en" }, "sms syntax"));
    expect(callbacks(lastMarkup())).toContain("https://1400.vn");
  });

  it("attributes a deep-link start to an organisation and ignores unknown codes", async () => {
    await boot();
    const member: tg.Person = { id: 1201 };
    await say(tg.text(member, "/start ldld-ct"));
    await say(tg.press(member, "flow:pledge"));
    await say(tg.text(member, "200k"));
    await say(tg.press(member, "v:payroll"));
    await say(tg.press(member, "v:no"));
    await say(tg.press(member, "v:confirm"));
    expect((await app.records.pledges.listByUser("telegram:1201"))[0]?.organisation).toBe("ldld-ct");
    const stranger: tg.Person = { id: 1202 };
    expect(await say(tg.text(stranger, "/start <script>"))).toContain("Xin chào");
  });

  it("ignores a repeated update_id", async () => {
    await boot();
    const update = tg.text({ id: 1301 }, "menu");
    const first = await say(update);
    expect(first).toContain("Bạn muốn làm gì");
    expect(await say(update)).toBe("");
  });

  it("waits retry_after on a 429 and then sends", async () => {
    await boot();
    api.rateLimitNext("sendMessage", 1);
    const started = Date.now();
    expect(await say(tg.text({ id: 1401 }, "menu"))).toContain("Bạn muốn làm gì");
    const attempts = api.calls.filter((c) => c.method === "sendMessage");
    // Welcome + menu in one message, sent twice: refused with 429, then accepted after 1 s.
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.body.text).toBe(attempts[0]!.body.text);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it("marks a subscriber unreachable on 403, and follows block/unblock updates", async () => {
    await boot();
    const p: tg.Person = { id: 1501 };
    await say(tg.press(p, "flow:subscribe"));
    expect(await app.records.subscribers.get("telegram", "1501")).toMatchObject({
      optedIn: true,
      blocked: false,
    });
    api.block(1501);
    await deliver(tg.text(p, "menu"));
    expect(api.sent(1501).length).toBeGreaterThan(0);
    expect((await app.records.subscribers.get("telegram", "1501"))?.blocked).toBe(true);
    await deliver(tg.membership(p, "member"));
    expect((await app.records.subscribers.get("telegram", "1501"))?.blocked).toBe(false);
    await deliver(tg.membership(p, "kicked"));
    expect((await app.records.subscribers.get("telegram", "1501"))?.blocked).toBe(true);
  });

  it("refuses a wrong or missing secret with 401 and processes nothing", async () => {
    await boot();
    api.clear();
    expect(await deliver(tg.text({ id: 1601 }, "menu"), "wrong-secret-0123456789")).toBe(401);
    expect(await deliver(tg.text({ id: 1601 }, "menu"), null)).toBe(401);
    expect(api.calls).toEqual([]);
  });

  it("handles every kind of update without an error", async () => {
    await boot();
    const p: tg.Person = { id: 1701 };
    const unsupported = ["photo", "sticker", "voice", "document", "location"];
    for (const kind of unsupported) {
      const field =
        kind === "location"
          ? { location: { latitude: 10.03, longitude: 105.78 } }
          : kind === "photo"
            ? { photo: [{ file_id: "f", file_unique_id: "u", width: 1, height: 1 }] }
            : { [kind]: { file_id: "f", file_unique_id: "u" } };
      // A photo is often a transfer screenshot: the answer says how to report the payment.
      expect(await say(tg.message(p, field)), kind).toContain(
        kind === "photo" ? "Nếu đó là ảnh chuyển khoản" : "chỉ đọc được tin nhắn chữ",
      );
    }
    // Updates the bot does not answer: edits, channel posts, group chatter, a callback without data.
    expect(
      await say({
        update_id: tg.nextUpdateId(),
        edited_message: {
          message_id: 1,
          date: 1,
          edit_date: 2,
          chat: { id: 1701, type: "private" },
          from: { id: 1701, is_bot: false, first_name: "A" },
          text: "x",
        },
      }),
    ).toBe("");
    expect(
      await say({
        update_id: tg.nextUpdateId(),
        channel_post: { message_id: 1, date: 1, chat: { id: -1001, type: "channel", title: "C" }, text: "x" },
      }),
    ).toBe("");
    expect(await say(tg.group(p, "xin chào mọi người"))).toBe("");
    expect(
      await say({
        update_id: tg.nextUpdateId(),
        callback_query: {
          id: "cq-x",
          from: { id: 1701, is_bot: false, first_name: "A" },
          chat_instance: "c",
        },
      }),
    ).toBe("");
    expect(
      api.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.body.callback_query_id),
    ).toContain("cq-x");
    // Addressed in a group, it invites to a private chat (groups: see "Telegram groups" below).
    expect(await say(tg.group(p, "@chungtay_test_bot ung ho ntn"))).toContain("nhắn riêng");
    expect(api.sent(-100_123)).toHaveLength(1);
    // Malformed bodies are acknowledged, not retried forever.
    const res = await fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": SECRET },
      body: "{not json",
    });
    expect(res.status).toBe(200);
    expect(await deliver({ hello: "world" })).toBe(200);
  });

  it("splits a long text under 4096 characters", async () => {
    await boot();
    for (let i = 0; i < 80; i++)
      await app.records.pledges.create({
        idempotencyKey: `k${i}`,
        amount: 100_000 + i,
        method: "cash",
        channel: "telegram",
        conversationId: "1801",
        userKey: "telegram:1801",
      });
    const text = await say(tg.press({ id: 1801 }, "flow:my_pledges"));
    const parts = api.sent(1801);
    expect(parts.length).toBeGreaterThan(2);
    for (const m of parts) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(text.match(/VNN-/g)).toHaveLength(80);
    // Lines are not cut in the middle.
    for (const m of parts.slice(1, -1)) expect(m.text.startsWith("•")).toBe(true);
  });

  it("gives staff /stats and /paid; others get the ordinary conversation", async () => {
    await boot();
    const donor: tg.Person = { id: 1901 };
    await say(tg.press(donor, "flow:pledge"));
    await say(tg.text(donor, "300k"));
    await say(tg.press(donor, "v:cash"));
    await say(tg.press(donor, "v:no"));
    const reference = /VNN-[0-9A-Z]{6}/.exec(await say(tg.press(donor, "v:confirm")))![0];
    expect(await say(tg.text(donor, "/stats"))).not.toContain("Thống kê");
    const stats = await say(tg.text({ id: STAFF }, "/stats"));
    expect(stats).toContain("Hôm nay: 1 khoản, 300.000 đ");
    expect(stats).toContain("Tiền mặt tại Mặt trận: 1 khoản, 300.000 đ");
    expect(await say(tg.text({ id: STAFF }, `/paid ${reference.toLowerCase()}`))).toContain(
      `Đã đánh dấu ${reference} là đã nộp`,
    );
    expect((await app.records.pledges.findByReference(reference))?.status).toBe("paid");
    expect((await app.records.audit.list(5)).map((e) => `${e.actor} ${e.action}`)).toEqual(
      expect.arrayContaining([`telegram:${STAFF} pledge.mark_paid`, `telegram:${STAFF} stats.view`]),
    );
    expect(await say(tg.text({ id: STAFF }, "/paid VNN-ZZZZZZ"))).toContain("Không tìm thấy");
  });

  it("alerts staff to a request to talk to them, and lets them answer it with /reply", async () => {
    await boot();
    app.senders.set("telegram", channel.proactive());
    const donor: tg.Person = { id: 1902 };
    expect(await say(tg.text(donor, "gặp cán bộ"))).toContain("Bạn muốn hỏi cán bộ điều gì?");
    await say(tg.text(donor, "Tôi cần biên lai <gấp>"));
    // The alert goes out beside the turn, not inside it.
    const deadline = Date.now() + 5_000;
    while (!api.sent(STAFF).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const alert = api.sent(STAFF).at(-1)!;
    expect(alert.text).toContain("Có người cần gặp cán bộ (kênh telegram");
    expect(alert.text).toContain("Câu hỏi: Tôi cần biên lai &lt;gấp&gt;");
    const code = /\/reply ([0-9a-f]{8})/.exec(alert.text)![1]!;

    expect(await say(tg.text({ id: STAFF }, "/reply"))).toContain("Cách dùng: /reply MÃ");
    expect(
      await say(tg.text({ id: STAFF }, `/reply ${code} Phường sẽ gửi biên lai cho bạn trong tuần này.`)),
    ).toContain(`Đã gửi câu trả lời cho yêu cầu ${code}`);
    expect(api.sent(donor.id).at(-1)!.text).toBe(
      "💬 Cán bộ chiến dịch trả lời bạn:\nPhường sẽ gửi biên lai cho bạn trong tuần này.",
    );
    expect(await app.records.handoffs.open()).toEqual([]);
    expect((await app.records.audit.list(5)).map((e) => `${e.actor} ${e.action}`)).toContain(
      `telegram:${STAFF} handoff.reply`,
    );
    expect(await say(tg.text({ id: STAFF }, `/reply ${code} lần nữa`))).toContain(
      `Không tìm thấy yêu cầu đang mở có mã ${code}`,
    );

    // Or Telegram's "Reply" to an alert: the reply is the answer.
    await say(tg.text(donor, "gặp cán bộ"));
    await say(tg.text(donor, "Phường tôi là phường nào?"));
    while (
      api.sent(STAFF).filter((m) => m.text.includes("Phường tôi là phường nào?")).length === 0 &&
      Date.now() < deadline + 5_000
    )
      await new Promise((r) => setTimeout(r, 20));
    const second = api.sent(STAFF).find((m) => m.text.includes("Phường tôi là phường nào?"))!;
    const reply = tg.message(
      { id: STAFF },
      {
        text: "Bạn ở phường An Hòa.",
        reply_to_message: {
          message_id: 1,
          date: 1_700_000_000,
          chat: { id: STAFF, type: "private" },
          text: second.text.replace(/<[^>]+>/g, ""),
        },
      },
    );
    expect(await say(reply)).toContain("Đã gửi câu trả lời cho yêu cầu");
    expect(api.sent(donor.id).at(-1)!.text).toBe("💬 Cán bộ chiến dịch trả lời bạn:\nBạn ở phường An Hòa.");
    expect(await app.records.handoffs.open()).toEqual([]);

    // A person who blocked the bot since: staff are told why, in words, and the request stays open.
    const gone: tg.Person = { id: 1905 };
    await say(tg.text(gone, "gặp cán bộ"));
    await say(tg.press(gone, "v:skip"));
    const [open] = await app.records.handoffs.open();
    api.block(gone.id);
    const refused = await say(
      tg.text({ id: STAFF }, `/reply ${open!.id.replace(/-/g, "").slice(0, 8)} Chào bạn`),
    );
    expect(refused).toContain("người hỏi đã chặn bot");
    expect(refused).toContain("vẫn mở");
    expect(await app.records.handoffs.open()).toHaveLength(1);
    // Anyone else's /reply is an ordinary message.
    expect(await say(tg.text(donor, `/reply ${code} xin chào`))).not.toContain("Đã gửi câu trả lời");
  });

  it("sends staff the daily digest: today's and the campaign's totals, and the requests still waiting", async () => {
    await boot();
    const donor: tg.Person = { id: 1903 };
    for (const u of [
      tg.press(donor, "flow:pledge"),
      tg.text(donor, "300k"),
      tg.press(donor, "v:cash"),
      tg.press(donor, "v:no"),
      tg.press(donor, "v:confirm"),
      tg.press(donor, "v:no"),
    ])
      await say(u);
    await say(tg.text({ id: 1904 }, "gặp cán bộ"));
    await say(tg.press({ id: 1904 }, "v:skip"));
    api.clear();
    await app.staffAlerts.digest();
    const digest = api
      .sent(STAFF)
      .map((m) => m.text)
      .join("\n");
    expect(digest).toContain("Tổng kết ngày 20/10/2019");
    expect(digest).toContain("Hôm nay: 1 khoản, 300.000 đ");
    expect(digest).toContain("Yêu cầu gặp cán bộ đang chờ trả lời: 1");
    expect(api.sent().every((m) => String(m.chat_id) === String(STAFF))).toBe(true); // nobody else
  });

  it("Telegram groups: runs no turn in a group, invites each member to a private chat, never posts personal data there", async () => {
    await boot();
    const an = { id: 3101, name: "An" };
    const binh = { id: 3102, name: "Bình" };
    const groupId = -100_777;
    const inGroup = (p: tg.Person, body: string) => say(tg.group(p, body, groupId));
    // Two members answer a pledge flow in the group: before, they shared one session there and
    // the summary with the first member's name and phone was posted to the group.
    const answers = [
      await inGroup(an, "@chungtay_test_bot tôi muốn ủng hộ 500k"),
      await inGroup(binh, "@chungtay_test_bot tiền mặt"),
      await inGroup(an, "/start@chungtay_test_bot"),
      await inGroup(an, "@chungtay_test_bot tên tôi là Nguyễn Văn An, sđt 0912345678"),
      await inGroup(an, "xin chào mọi người"), // not addressed: nothing
      await inGroup({ id: STAFF }, "/stats@chungtay_test_bot"), // staff commands are private too
    ];
    const posted = api.sent(groupId);
    expect(posted).toHaveLength(5);
    for (const m of posted) {
      expect(m.text).toContain("nhắn riêng");
      expect(m.text).not.toMatch(/500\.000|Nguyễn|0912345678|VNN-/);
      expect(callbacks(m.reply_markup)).toEqual(["https://t.me/chungtay_test_bot"]);
    }
    expect(answers[4]).toBe("");
    // A button pressed on a message in a group runs no turn either.
    const press = tg.press(an, "flow:pledge") as { callback_query: { message: { chat: object } } };
    press.callback_query.message.chat = { id: groupId, type: "supergroup", title: "Công đoàn" };
    expect(await say(press)).toBe("");
    // The private chat is each person's own: An's pledge starts there, with nothing from the group.
    expect(await say(tg.text(an, "tôi muốn ủng hộ 500k"))).toContain("500.000");
  });
});
