import type { Reply } from "../../engine/reply.ts";
import { mergeReplies, splitText as splitPieces } from "../reply-text.ts";

export const TELEGRAM_TEXT_LIMIT = 4096;

export interface SendMessage {
  chat_id: number | string;
  text: string;
  parse_mode: "HTML";
  link_preview_options?: { is_disabled: boolean };
  reply_markup?:
    | {
        inline_keyboard: Array<
          Array<{ text: string; callback_data: string } | { text: string; url: string }>
        >;
      }
    | {
        keyboard: Array<Array<{ text: string; request_contact: true }>>;
        one_time_keyboard: true;
        resize_keyboard: true;
      };
}

/** Escapes text for parse_mode HTML, so a user's name can never break or inject markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Splits text so each piece fits Telegram's limit once HTML-escaped. */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitPieces(text, limit, (s) => escapeHtml(s).length);
}

/** Renders the bot's replies as sendMessage calls for one chat. */
export function renderForTelegram(chatId: number | string, replies: Reply[]): SendMessage[] {
  const calls: SendMessage[] = [];
  for (const reply of mergeReplies(replies, TELEGRAM_TEXT_LIMIT)) {
    // Telegram URL buttons take http(s) only; sms:/tel: links become a line of text to copy.
    const urlLinks = (reply.links ?? []).filter((l) => /^https?:/.test(l.url));
    const textLinks = (reply.links ?? []).filter((l) => !/^https?:/.test(l.url)).map((l) => `📱 ${l.label}`);
    const text = [reply.text, ...textLinks].join("\n");
    const pieces = splitText(text);
    pieces.forEach((piece, i) => {
      const call: SendMessage = {
        chat_id: chatId,
        text: escapeHtml(piece),
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
      };
      if (i === pieces.length - 1) {
        if (reply.requestContact) {
          call.reply_markup = {
            keyboard: [[{ text: reply.requestContact.label, request_contact: true }]],
            one_time_keyboard: true,
            resize_keyboard: true,
          };
        } else {
          const rows = [
            ...pairUp((reply.buttons ?? []).map((b) => ({ text: b.label, callback_data: b.payload }))),
            ...urlLinks.map((l) => [{ text: l.label, url: l.url }]),
          ];
          if (rows.length) call.reply_markup = { inline_keyboard: rows };
        }
      }
      calls.push(call);
    });
  }
  return calls;
}

/** Two short buttons per row, long ones alone, so labels stay readable on a phone. */
function pairUp<T extends { text: string }>(buttons: T[]): T[][] {
  const rows: T[][] = [];
  for (const b of buttons) {
    const last = rows[rows.length - 1];
    if (last && last.length === 1 && last[0]!.text.length <= 18 && b.text.length <= 18) last.push(b);
    else rows.push([b]);
  }
  return rows;
}
