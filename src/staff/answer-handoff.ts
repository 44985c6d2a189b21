import type { App } from "../app.ts";
import type { Delivery } from "../broadcasts/proactive-sender.ts";
import { isLanguage } from "../engine/locales.ts";
import type { HandoffRequest } from "../records/ports.ts";

export type HandoffAnswer = Delivery["kind"] | "no_channel";

/**
 * Staff answer a "talk to staff" request through the bot, in the chat and language it came from
 * (admin API and Telegram /reply alike): once it is sent the request is no longer open, and the
 * answer is in the audit log with who gave it.
 */
export async function answerHandoff(
  app: Pick<App, "records" | "senders" | "engine" | "config" | "now">,
  handoff: HandoffRequest,
  text: string,
  actor: string,
): Promise<HandoffAnswer> {
  const sender = app.senders.get(handoff.channel);
  if (!sender) return "no_channel";
  const lang = isLanguage(handoff.lang) ? handoff.lang : app.config.DEFAULT_LANGUAGE;
  const delivery = await sender.send(handoff.conversationId, {
    text: app.engine.text("account.staff_reply", lang, { text }),
    buttons: [{ label: app.engine.text("menu.open", lang), payload: "cmd:menu" }],
  });
  if (delivery.kind === "sent") await app.records.handoffs.markAnswered(handoff.id, app.now());
  await app.records.audit.record({
    actor,
    action: "handoff.reply",
    target: handoff.id,
    details: { outcome: delivery.kind },
    at: app.now().toISOString(),
  });
  return delivery.kind;
}
