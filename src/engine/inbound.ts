/** A message from any channel, already verified and mapped by its adapter. */
export interface Inbound {
  /** Channel name: "webchat", "console", "telegram", "zalo-oa", "zalo-bot". */
  channel: string;
  /** The platform's message or update id: the dedupe key. */
  messageId: string;
  /** Where replies go (chat id); sessions and turn order are per conversation. */
  conversationId: string;
  /** The person (platform user id); pledges and consent belong to them. */
  userId: string;
  /** Platform language hint ("en", "vi-VN"), used only to pick the first language. */
  locale?: string;
  /** Typed text. */
  text?: string;
  /** A pressed button's payload (flow:pledge, v:yes, ...). */
  payload?: string;
  /** A phone number the platform vouches for (Telegram shared contact, Zalo user_submit_info). */
  contact?: { phone: string; name?: string };
  /** Something the bot does not read (photo, sticker, voice, file, location). */
  unsupported?: string;
  /** A deep-link start code ("/start ldld-ct") attributing the conversation to an organisation. */
  startCode?: string;
}

/**
 * The longest text a platform lets a person send (Telegram: 4,096 characters; Zalo's are
 * shorter). Anything longer did not come from a person typing: it is cut before understanding,
 * so one message costs a bounded amount of work whatever its length.
 */
export const MAX_TEXT_CHARS = 4096;

/** The message with its text cut to MAX_TEXT_CHARS (never inside a surrogate pair). */
export function boundedText(inbound: Inbound): Inbound {
  const text = inbound.text;
  if (text === undefined || text.length <= MAX_TEXT_CHARS) return inbound;
  let end = MAX_TEXT_CHARS;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { ...inbound, text: text.slice(0, end) };
}
