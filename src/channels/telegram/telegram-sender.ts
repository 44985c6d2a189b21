import type { Logger } from "pino";
import { errorInfo } from "../../log/error-info.ts";
import { neverSent, type Delivery, type ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import type { SubscriberRepository } from "../../records/ports.ts";
import type { BotApiClient } from "./bot-api-client.ts";
import { renderForTelegram } from "./telegram-render.ts";

interface ApiError {
  code?: number | string;
  response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } };
}

export type SendOutcome = "sent" | "blocked" | "failed";

/**
 * Calls the Bot API for a chat: a 429 waits retry_after seconds and tries again (a few times),
 * a 403 (blocked, deactivated) marks the subscriber unreachable and stops, anything else is
 * logged with the chat and method only — never the message text.
 */
export class TelegramSender {
  constructor(
    private readonly api: BotApiClient,
    private readonly subscribers: SubscriberRepository,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly maxAttempts = 4,
  ) {}

  async call(
    method: string,
    payload: Record<string, unknown> & { chat_id: number | string },
  ): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      const d = await this.once(method, payload);
      if (d.kind === "rate_limited" && attempt < this.maxAttempts) {
        await this.sleep(d.retryAfterMs);
        continue;
      }
      return d.kind === "sent" ? "sent" : d.kind === "blocked" ? "blocked" : "failed";
    }
  }

  /** One call, no retry: how it went, for broadcasts that pause the whole channel on a 429. */
  async once(
    method: string,
    payload: Record<string, unknown> & { chat_id: number | string },
  ): Promise<Delivery> {
    try {
      await this.api.call(method, payload);
      return { kind: "sent" };
    } catch (err) {
      const e = err as ApiError;
      const code = e.response?.error_code ?? (typeof e.code === "number" ? e.code : undefined);
      if (code === 429) {
        const seconds = e.response?.parameters?.retry_after ?? 1;
        this.log.warn({ chat: payload.chat_id, method, retryAfter: seconds }, "telegram: rate limited");
        return { kind: "rate_limited", retryAfterMs: seconds * 1000 };
      }
      if (code === 403) {
        this.log.info({ chat: payload.chat_id, method }, "telegram: user blocked the bot or is deactivated");
        await this.subscribers.setBlocked("telegram", String(payload.chat_id), true).catch(() => {});
        return { kind: "blocked" };
      }
      this.log.error(
        {
          chat: payload.chat_id,
          method,
          code,
          description: e.response?.description,
          err: code ? undefined : errorInfo(err),
        },
        "telegram: API call failed",
      );
      if ((code !== undefined && code >= 500) || (code === undefined && neverSent(err)))
        return { kind: "retry", detail: `telegram ${code ?? "network"}` };
      return {
        kind: "failed",
        detail: `telegram ${code ?? "network"}: ${e.response?.description ?? ""}`.trim(),
      };
    }
  }

  /** Broadcasts and reminders: one message (the reply must fit one, which broadcasts are checked for). */
  proactive(): ProactiveSender {
    return {
      channel: "telegram",
      send: async (userId, reply) => {
        let last: Delivery = { kind: "sent" };
        for (const call of renderForTelegram(userId, [reply]))
          if ((last = await this.once("sendMessage", { ...call })).kind !== "sent") break;
        return last;
      },
    };
  }
}
