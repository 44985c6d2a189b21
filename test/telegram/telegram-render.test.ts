import { describe, expect, it } from "vitest";
import { escapeHtml, renderForTelegram, splitText } from "../../src/channels/telegram/telegram-render.ts";
import { mapTelegramUpdate } from "../../src/channels/telegram/telegram-update.ts";
import * as tg from "./telegram-updates.ts";

describe("renderForTelegram", () => {
  it("escapes HTML so typed text cannot inject markup", () => {
    expect(escapeHtml(`<a href="x">A & B</a>`)).toBe(`&lt;a href="x"&gt;A &amp; B&lt;/a&gt;`);
  });

  it("splits at sentence boundaries under the limit, counting the escaped length", () => {
    const sentence = "Một câu có dấu & ký tự đặc biệt. ";
    const text = sentence.repeat(300);
    const pieces = splitText(text, 4096);
    expect(pieces.length).toBeGreaterThan(2);
    for (const p of pieces) {
      expect(escapeHtml(p).length).toBeLessThanOrEqual(4096);
      expect(p.endsWith(".")).toBe(true);
    }
    expect(pieces.join(" ")).toBe(text.trim());
  });

  it("cuts a text without any boundary at the limit", () => {
    const pieces = splitText("x".repeat(5000), 4096);
    expect(pieces.map((p) => p.length)).toEqual([4096, 904]);
  });

  it("puts buttons on the last piece, http links as URL buttons, sms links as text, contact requests as a reply keyboard", () => {
    const [only] = renderForTelegram(7, [
      {
        text: "Hi",
        buttons: [
          { label: "Có", payload: "v:yes" },
          { label: "Không", payload: "v:no" },
        ],
        links: [
          { label: "1400", url: "https://1400.vn" },
          { label: "VNN 25 → 1408", url: "sms:1408?body=VNN%2025" },
        ],
      },
    ]);
    expect(only).toEqual({
      chat_id: 7,
      text: "Hi\n📱 VNN 25 → 1408",
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      reply_markup: {
        inline_keyboard: [
          [
            { text: "Có", callback_data: "v:yes" },
            { text: "Không", callback_data: "v:no" },
          ],
          [{ text: "1400", url: "https://1400.vn" }],
        ],
      },
    });
    const [phone] = renderForTelegram(7, [{ text: "Số điện thoại?", requestContact: { label: "Gửi số" } }]);
    expect(phone!.reply_markup).toEqual({
      keyboard: [[{ text: "Gửi số", request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
  });
});

describe("merging replies", () => {
  it("joins replies into one message until one carries buttons", () => {
    const calls = renderForTelegram(1, [
      { text: "A" },
      { text: "B", buttons: [{ label: "x", payload: "v:x" }] },
      { text: "C" },
    ]);
    expect(calls.map((c) => c.text)).toEqual(["A\n\nB", "C"]);
    expect(calls[0]!.reply_markup).toBeDefined();
  });
});

describe("mapTelegramUpdate", () => {
  const bot = { id: 999_000, username: "chungtay_test_bot" };
  it("reads /start deep links, commands addressed to the bot, and button presses", () => {
    expect(mapTelegramUpdate(tg.text({ id: 1 }, "/start ldld-ct") as never, bot)).toMatchObject({
      kind: "turn",
      inbound: { text: "/start", startCode: "ldld-ct", conversationId: "1", userId: "1" },
    });
    expect(mapTelegramUpdate(tg.text({ id: 1 }, "/menu@chungtay_test_bot") as never, bot)).toMatchObject({
      inbound: { text: "/menu" },
    });
    expect(mapTelegramUpdate(tg.press({ id: 1, lang: "en" }, "v:yes") as never, bot)).toMatchObject({
      kind: "turn",
      inbound: { payload: "v:yes", locale: "en" },
      callbackQueryId: expect.any(String),
    });
  });

  it("in groups, only invites to a private chat when addressed, and runs no turn", () => {
    expect(mapTelegramUpdate(tg.group({ id: 1 }, "hello all") as never, bot)).toMatchObject({
      kind: "ignore",
    });
    expect(mapTelegramUpdate(tg.group({ id: 1 }, "/menu@other_bot") as never, bot)).toMatchObject({
      kind: "ignore",
    });
    expect(mapTelegramUpdate(tg.group({ id: 1 }, "@ChungTay_Test_Bot sms là gì?") as never, bot)).toEqual({
      kind: "group_invite",
      chatId: "-100123",
      locale: "vi",
    });
  });

  it("accepts only the user's own contact", () => {
    expect(mapTelegramUpdate(tg.contact({ id: 5 }, "+84912345678") as never, bot)).toMatchObject({
      inbound: { contact: { phone: "+84912345678" } },
    });
    expect(mapTelegramUpdate(tg.contact({ id: 5 }, "+84912345678", 6) as never, bot)).toMatchObject({
      inbound: { unsupported: "foreign_contact" },
    });
  });
});
