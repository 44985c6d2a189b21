import type { Logger } from "pino";
import type { Telegram } from "telegraf";
import { errorInfo } from "../../log/error-info.ts";
import type { SubscriberRepository } from "../../records/ports.ts";

interface ApiError {
  code?: number;
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
    private readonly telegram: Telegram,
    private readonly subscribers: SubscriberRepository,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly maxAttempts = 4,
  ) {}

  async call(method: string, payload: Record<string, unknown> & { chat_id: number | string }): Promise<SendOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.telegram.callApi(method as never, payload as never);
        return "sent";
      } catch (err) {
        const e = err as ApiError;
        const code = e.response?.error_code ?? e.code;
        if (code === 429 && attempt < this.maxAttempts) {
          const seconds = e.response?.parameters?.retry_after ?? 1;
          this.log.warn({ chat: payload.chat_id, method, retryAfter: seconds }, "telegram: rate limited, waiting");
          await this.sleep(seconds * 1000);
          continue;
        }
        if (code === 403) {
          this.log.info({ chat: payload.chat_id, method }, "telegram: user blocked the bot or is deactivated");
          await this.subscribers.setBlocked("telegram", String(payload.chat_id), true).catch(() => {});
          return "blocked";
        }
        this.log.error({ chat: payload.chat_id, method, code, description: e.response?.description, err: code ? undefined : errorInfo(err) }, "telegram: API call failed");
        return "failed";
      }
    }
  }
}
