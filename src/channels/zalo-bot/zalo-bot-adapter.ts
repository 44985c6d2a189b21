import type { Activity, ResourceResponse, TurnContext } from "botbuilder-core";
import type { Logger } from "pino";
import { neverSent, type Delivery, type ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import type { Reply } from "../../engine/reply.ts";
import type { KeyValueStore } from "../../records/key-value-store.ts";
import { activitiesToReplies } from "../reply-activity.ts";
import { SendOnlyAdapter } from "../send-only-adapter.ts";
import { mergeReplies, splitText } from "../reply-text.ts";

export const ZALO_BOT_CHANNEL = "zalo-bot";
const TEXT_LIMIT = 2000;

/** How long a chat's numbered buttons are kept (channel-state.json or Redis). */
const BUTTONS_TTL_MS = 24 * 3_600_000;
/**
 * The Zalo Bot platform (a Telegram-like API) as a Bot Framework adapter. It has no buttons we
 * can rely on, so buttons become a numbered list; the last list per chat is kept in the shared
 * store, so replying "2" presses the second button. Links are written out.
 */
export class ZaloBotAdapter extends SendOnlyAdapter {
  constructor(
    private readonly api: { root: string; token: string },
    private readonly kv: KeyValueStore,
    private readonly log: Logger,
  ) {
    super(ZALO_BOT_CHANNEL);
  }

  /** The payload a typed number stands for, from the buttons last shown in this chat. */
  async buttonFor(chatId: string, text: string): Promise<string | undefined> {
    const n = /^\s*(\d{1,2})\s*$/.exec(text)?.[1];
    if (!n) return undefined;
    const json = await this.kv.get(`zalo-bot:buttons:${chatId}`);
    const payloads = json ? (JSON.parse(json) as string[]) : [];
    return payloads[Number(n) - 1];
  }

  async call(method: string, body: Record<string, unknown>): Promise<boolean> {
    return (await this.callOnce(method, body)).kind === "sent";
  }

  /** One API call, classified (the API is Telegram-like: 429 and 403 mean what they mean there). */
  async callOnce(method: string, body: Record<string, unknown>): Promise<Delivery> {
    try {
      const res = await fetch(`${this.api.root}/bot${this.api.token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (res.status >= 500) return { kind: "retry", detail: `zalo-bot HTTP ${res.status}` };
      const answer = (await res.json()) as {
        ok?: boolean;
        error_code?: number;
        description?: string;
        parameters?: { retry_after?: number };
      };
      if (answer.ok) return { kind: "sent" };
      this.log.error(
        { method, chat: body.chat_id, code: answer.error_code, description: answer.description },
        "zalo-bot: API call refused",
      );
      if (answer.error_code === 429)
        return { kind: "rate_limited", retryAfterMs: (answer.parameters?.retry_after ?? 1) * 1000 };
      if (answer.error_code === 403) return { kind: "blocked" };
      return { kind: "failed", detail: `zalo-bot ${answer.error_code ?? "?"}` };
    } catch (err) {
      this.log.error(
        { method, chat: body.chat_id, err: (err as Error).message },
        "zalo-bot: API call failed",
      );
      return neverSent(err)
        ? { kind: "retry", detail: "zalo-bot network" }
        : { kind: "failed", detail: "zalo-bot network, delivery unknown" };
    }
  }

  /** Broadcasts and reminders: the same numbered buttons as in a conversation. */
  proactive(): ProactiveSender {
    return { channel: ZALO_BOT_CHANNEL, send: (userId, reply) => this.deliver(userId, [reply]) };
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const chatId = context.activity.conversation?.id;
    if (!chatId) throw new Error("zalo-bot adapter: no chat on the turn's activity");
    const outcome = await this.deliver(chatId, activitiesToReplies(activities));
    return [{ id: outcome.kind }];
  }

  /** Replies as numbered-list messages; stops at the first message that does not go out. */
  private async deliver(chatId: string, replies: Reply[]): Promise<Delivery> {
    const payloads: string[] = [];
    let last: Delivery = { kind: "sent" };
    outer: for (const reply of mergeReplies(replies, TEXT_LIMIT)) {
      const lines = [reply.text];
      for (const b of reply.buttons ?? []) {
        payloads.push(b.payload);
        lines.push(`${payloads.length}. ${b.label}`);
      }
      for (const l of reply.links ?? [])
        lines.push(`🔗 ${l.label}${/^https?:/.test(l.url) ? `: ${l.url}` : ""}`);
      for (const text of splitText(lines.join("\n"), TEXT_LIMIT))
        if ((last = await this.callOnce("sendMessage", { chat_id: chatId, text })).kind !== "sent")
          break outer;
    }
    // A number typed later picks from the latest list; a day on, nobody answers that list.
    if (payloads.length)
      await this.kv.set(`zalo-bot:buttons:${chatId}`, JSON.stringify(payloads), BUTTONS_TTL_MS);
    return last;
  }
}
