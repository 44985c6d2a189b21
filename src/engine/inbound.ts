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
