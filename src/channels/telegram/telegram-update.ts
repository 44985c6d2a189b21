import { z } from "zod";
import type { Inbound } from "../../engine/inbound.ts";

/** An optional field of the wrong type is read as absent rather than failing the turn. */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const user = z.object({
  id: z.number(),
  is_bot: optional(z.boolean()),
  first_name: optional(z.string()),
  language_code: optional(z.string().max(35)),
});
const chat = z.object({ id: z.number(), type: z.string().catch("unknown") });

/**
 * The parts of an update the bot reads, checked: Telegram signs nothing, and a field of the
 * wrong type must not reach the engine. Unknown fields pass through for telegraf.
 */
const updateSchema = z
  .object({
    update_id: z.number(),
    message: z
      .object({
        chat,
        from: optional(user),
        text: optional(z.string()),
        contact: optional(
          z.object({
            phone_number: z.string(),
            first_name: optional(z.string()),
            user_id: optional(z.number()),
          }),
        ),
        reply_to_message: optional(z.object({ from: optional(z.object({ id: z.number() })) }).passthrough()),
      })
      .passthrough()
      .optional(),
    callback_query: z
      .object({
        id: z.string(),
        from: user,
        data: optional(z.string()),
        message: optional(z.object({ chat }).passthrough()),
      })
      .passthrough()
      .optional(),
    my_chat_member: z
      .object({ chat, from: user, new_chat_member: z.object({ status: z.string() }).passthrough() })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type TelegramUpdate = z.infer<typeof updateSchema>;

/** The update with every field the bot reads of the right type, or null when a required one is not. */
export function checkedTelegramUpdate(update: unknown): TelegramUpdate | null {
  const parsed = updateSchema.safeParse(update);
  return parsed.success ? parsed.data : null;
}

/** What the Telegram channel does with an update. */
export type TelegramEvent =
  | { kind: "turn"; inbound: Inbound; callbackQueryId?: string }
  | { kind: "membership"; userId: string; blocked: boolean }
  /** Addressed in a group: only an invitation to a private chat is sent there, never a turn. */
  | { kind: "group_invite"; chatId: string; locale?: string }
  | { kind: "ignore"; reason: string; callbackQueryId?: string };

/**
 * Maps any Telegram update to a turn, a membership change or an ignore with a reason. Pure, so
 * every update kind is unit-testable. A group shares one chat between its members, so no turn
 * runs there (one member's answers would fill another's pledge, and summaries name people):
 * addressed (a command, an @mention, a reply to the bot) it gets an invitation to a private chat.
 */
export function mapTelegramUpdate(raw: unknown, bot: { id: number; username: string }): TelegramEvent {
  const update = checkedTelegramUpdate(raw);
  if (!update) return { kind: "ignore", reason: "malformed update" };
  const base = { channel: "telegram", messageId: String(update.update_id) };

  if (update.callback_query) {
    const q = update.callback_query;
    const chat = q.message?.chat;
    if (!chat || !q.data)
      return { kind: "ignore", reason: "callback without data or message", callbackQueryId: q.id };
    if (chat.type !== "private")
      return { kind: "ignore", reason: `button pressed in a ${chat.type}`, callbackQueryId: q.id };
    return {
      kind: "turn",
      callbackQueryId: q.id,
      inbound: {
        ...base,
        conversationId: String(chat.id),
        userId: String(q.from.id),
        locale: q.from.language_code,
        payload: q.data,
      },
    };
  }

  if (update.my_chat_member) {
    const m = update.my_chat_member;
    if (m.chat.type !== "private")
      return { kind: "ignore", reason: `bot membership changed in a ${m.chat.type}` };
    const status = m.new_chat_member.status;
    return {
      kind: "membership",
      userId: String(m.from.id),
      blocked: status === "kicked" || status === "left",
    };
  }

  if (!update.message) {
    const kind = Object.keys(update).find((k) => k !== "update_id") ?? "unknown";
    return { kind: "ignore", reason: `${kind} update` }; // edited messages, channel posts, polls, ...
  }

  const msg = update.message;
  if (!msg.from || msg.from.is_bot) return { kind: "ignore", reason: "message without a human sender" };
  const from = {
    ...base,
    conversationId: String(msg.chat.id),
    userId: String(msg.from.id),
    locale: msg.from.language_code,
  };
  const isPrivate = msg.chat.type === "private";

  if (msg.text !== undefined) {
    const text = msg.text;
    if (!isPrivate) {
      const mention = `@${bot.username}`.toLowerCase();
      const addressed = text.startsWith("/")
        ? !/^\/\S+@/.test(text) || text.split(/\s/)[0]!.toLowerCase().endsWith(mention)
        : text.toLowerCase().includes(mention) || msg.reply_to_message?.from?.id === bot.id;
      if (!addressed) return { kind: "ignore", reason: "group message not addressed to the bot" };
      return { kind: "group_invite", chatId: from.conversationId, locale: from.locale };
    }
    const start = /^\/start(?:@\S+)?(?:\s+(\S+))?\s*$/.exec(text);
    if (start) return messageTurn(from, { text: "/start", startCode: start[1] });
    return messageTurn(from, { text: text.replace(/^(\/\S+)@\S+/, "$1") });
  }
  if (!isPrivate) return { kind: "ignore", reason: "group message without text" };
  if (msg.contact) {
    // Only the user's own number counts (a forwarded card has another user_id, or none).
    if (msg.contact.user_id === msg.from.id)
      return messageTurn(from, {
        contact: { phone: msg.contact.phone_number, name: msg.contact.first_name },
      });
    return messageTurn(from, { unsupported: "foreign_contact" });
  }
  const kind =
    [
      "photo",
      "sticker",
      "voice",
      "video",
      "video_note",
      "audio",
      "document",
      "location",
      "venue",
      "animation",
      "poll",
      "dice",
    ].find((k) => k in msg) ?? "other";
  return messageTurn(from, { unsupported: kind });
}

/** A turn from a message: who and where, plus what was said or sent. */
function messageTurn(
  from: Pick<Inbound, "channel" | "messageId" | "conversationId" | "userId" | "locale">,
  extra: Partial<Inbound>,
): TelegramEvent {
  return { kind: "turn", inbound: { ...from, ...extra } };
}
