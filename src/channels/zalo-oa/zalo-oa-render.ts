import type { Reply } from "../../engine/reply.ts";
import { mergeReplies, splitText } from "../reply-text.ts";

export const ZALO_TEXT_LIMIT = 2000;
/** Buttons per template message. UNVERIFIED in FIELD-NOTES; longer lists go in follow-up messages. */
export const ZALO_MAX_BUTTONS = 5;

export type ZaloButton =
  | { title: string; type: "oa.query.show"; payload: string }
  | { title: string; type: "oa.open.url"; payload: { url: string } }
  | { title: string; type: "oa.open.sms"; payload: { content: string; phone_code: string } }
  | { title: string; type: "oa.open.phone"; payload: { phone_code: string } };

export interface ZaloMessage {
  text: string;
  attachment?: { type: "template"; payload: { buttons: ZaloButton[] } };
}

/** An sms:/tel:/http link as a Zalo button. */
function linkButton(link: { label: string; url: string }): ZaloButton | null {
  const title = link.label.slice(0, 100);
  if (/^https?:/.test(link.url)) return { title, type: "oa.open.url", payload: { url: link.url } };
  const sms = /^sms:([^?]+)(?:\?body=(.*))?$/.exec(link.url);
  if (sms)
    return {
      title,
      type: "oa.open.sms",
      payload: { phone_code: sms[1]!, content: decodeURIComponent(sms[2] ?? "") },
    };
  const tel = /^tel:(.+)$/.exec(link.url);
  if (tel) return { title, type: "oa.open.phone", payload: { phone_code: tel[1]! } };
  return null;
}

/**
 * Renders the bot's replies as Zalo OA customer-service messages: text under 2,000 characters,
 * buttons as a template whose oa.query.show payload comes back as the user's text, links as
 * oa.open.url / oa.open.sms / oa.open.phone buttons. Consecutive replies are merged, since the
 * OA may send only a few replies per user window.
 */
export function renderForZalo(replies: Reply[]): ZaloMessage[] {
  const out: ZaloMessage[] = [];
  for (const reply of mergeReplies(replies, ZALO_TEXT_LIMIT)) {
    const pieces = splitText(reply.text, ZALO_TEXT_LIMIT);
    const buttons: ZaloButton[] = [
      ...(reply.buttons ?? []).map((b): ZaloButton => ({
        title: b.label.slice(0, 100),
        type: "oa.query.show",
        payload: b.payload,
      })),
      ...(reply.links ?? []).map(linkButton).filter((b): b is ZaloButton => b !== null),
    ];
    pieces.forEach((text, i) =>
      out.push(
        i === pieces.length - 1 && buttons.length
          ? {
              text,
              attachment: { type: "template", payload: { buttons: buttons.slice(0, ZALO_MAX_BUTTONS) } },
            }
          : { text },
      ),
    );
    for (let i = ZALO_MAX_BUTTONS; i < buttons.length; i += ZALO_MAX_BUTTONS)
      out.push({
        text: "…",
        attachment: { type: "template", payload: { buttons: buttons.slice(i, i + ZALO_MAX_BUTTONS) } },
      });
  }
  return out;
}
