import type { Logger } from "pino";
import type { SubscriberRepository } from "../../records/ports.ts";
import { neverSent, type Delivery, type ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import { renderForZalo, type ZaloMessage } from "./zalo-oa-render.ts";
import type { ZaloOaTokens } from "./zalo-oa-tokens.ts";

export type ZaloSendOutcome = "sent" | "outside_window" | "not_following" | "failed";

/**
 * Sends customer-service messages (POST /v3.0/oa/message/cs, header access_token). Zalo reports
 * errors as HTTP 200 with error != 0: -216/-220 refresh the token once and retry, -32 backs off
 * and retries, -230/-232 (outside the messaging window) and -213 (not following) are recorded
 * and not retried. Logs carry the user id and error code, never the text.
 */
export class ZaloOaClient {
  constructor(
    private readonly apiRoot: string,
    private readonly tokens: ZaloOaTokens,
    private readonly subscribers: SubscriberRepository,
    private readonly log: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(userId: string, message: ZaloMessage): Promise<ZaloSendOutcome> {
    for (let attempt = 1; attempt <= 4; attempt++) {
      const d = await this.deliver(userId, message);
      if (d.kind === "rate_limited" || d.kind === "retry") {
        await this.sleep(d.kind === "rate_limited" ? d.retryAfterMs * attempt : 500 * attempt);
        continue;
      }
      return d.kind === "sent"
        ? "sent"
        : d.kind === "outside_window"
          ? "outside_window"
          : d.kind === "blocked"
            ? "not_following"
            : "failed";
    }
    return "failed";
  }

  /** One message, refreshing the token once if Zalo says it expired; no other retry. */
  async deliver(userId: string, message: ZaloMessage): Promise<Delivery> {
    for (let refreshed = false; ; refreshed = true) {
      const token = await this.tokens.accessToken();
      let body: { error?: number; message?: string };
      try {
        const res = await fetch(`${this.apiRoot}/v3.0/oa/message/cs`, {
          method: "POST",
          headers: { "content-type": "application/json", access_token: token },
          body: JSON.stringify({ recipient: { user_id: userId }, message }),
        });
        if (res.status >= 500) return { kind: "retry", detail: `zalo-oa HTTP ${res.status}` };
        body = (await res.json()) as typeof body;
      } catch (err) {
        this.log.warn({ user: userId, err: (err as Error).message }, "zalo-oa: send failed (network)");
        return neverSent(err)
          ? { kind: "retry", detail: "zalo-oa network" }
          : { kind: "failed", detail: "zalo-oa network, delivery unknown" };
      }
      const code = body.error ?? 0;
      if (code === 0) return { kind: "sent" };
      if ((code === -216 || code === -220) && !refreshed) {
        await this.tokens.refresh(token);
        continue;
      }
      if (code === -32) {
        this.log.warn({ user: userId }, "zalo-oa: rate limited");
        return { kind: "rate_limited", retryAfterMs: 1_000 };
      }
      if (code === -230 || code === -232) {
        this.log.info({ user: userId, code }, "zalo-oa: user outside the messaging window; not retried");
        await this.subscribers
          .setUnreachable("zalo-oa", userId, "outside_window", this.now())
          .catch(() => {});
        return { kind: "outside_window" };
      }
      if (code === -213) {
        this.log.info({ user: userId }, "zalo-oa: user does not follow the OA; not retried");
        await this.subscribers.setUnreachable("zalo-oa", userId, "not_following", this.now()).catch(() => {});
        return { kind: "blocked" };
      }
      this.log.error({ user: userId, code, description: body.message }, "zalo-oa: send refused");
      return { kind: "failed", detail: `zalo-oa ${code}` };
    }
  }

  /** Broadcasts and reminders: the reply as Zalo messages (stopping at the first that fails). */
  proactive(): ProactiveSender {
    return {
      channel: "zalo-oa",
      send: async (userId, reply) => {
        let last: Delivery = { kind: "sent" };
        for (const message of renderForZalo([reply]))
          if ((last = await this.deliver(userId, message)).kind !== "sent") break;
        return last;
      },
    };
  }
}
