import type { Reply } from "../engine/reply.ts";

/**
 * What one proactive send came to, as the delivery worker needs it: a 429 pauses the whole
 * channel, "retry" means the platform certainly did not deliver (try again after a backoff),
 * "failed" is permanent or of unknown effect and is not retried (never risk a second copy).
 */
export type Delivery =
  | { kind: "sent" }
  | { kind: "blocked" }
  | { kind: "outside_window" }
  | { kind: "rate_limited"; retryAfterMs: number }
  | { kind: "retry"; detail: string }
  | { kind: "failed"; detail: string };

/** Sends one message, outside any conversation turn, to a user of one channel. */
export interface ProactiveSender {
  readonly channel: string;
  send(userId: string, reply: Reply): Promise<Delivery>;
}

/** Network errors after which the request certainly never reached the platform. */
export function neverSent(err: unknown): boolean {
  const code =
    (err as { code?: string; cause?: { code?: string } }).code ??
    (err as { cause?: { code?: string } }).cause?.code;
  return code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN";
}
