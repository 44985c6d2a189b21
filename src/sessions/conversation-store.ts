import type { Session } from "../engine/session.ts";

/** A turn's hold on a conversation: released with the new session (or nothing, to keep the old). */
export interface Lease {
  key: string;
  token: string;
  /** The message this turn answers: *in progress* while the lease lives, *done* once released. */
  messageKey: string;
  session: Session | null;
}

/**
 * Where sessions live, and the guard that applies one turn at a time per conversation in
 * arrival order. `acquire` claims the message id (dedupe), takes the conversation's lock and
 * reads its session in one step; `release` writes the session and frees the lock in one step,
 * so a Redis implementation needs two round trips per turn.
 *
 * At least once: a message id is *in progress* while its turn holds a lease, and *done* only
 * when `release` wrote the session. A turn whose process died stops renewing its lease: the
 * conversation is free again and a redelivery of the message is processed once it lapses.
 */
export interface ConversationStore {
  /** Null when this message id is done or in progress (a repeated delivery). */
  acquire(conversationKey: string, messageKey: string): Promise<Lease | null>;
  /** How often a running turn must renew its lease (ms); 0 when leases never lapse (one process). */
  readonly renewEveryMs: number;
  /** Extends a running turn's lease; false when it lapsed and another turn took over. */
  renew(lease: Lease): Promise<boolean>;
  /**
   * Writes the session (unless null), marks the message done and frees the lock. `failed`
   * frees the message id instead, so a redelivery of a turn that crashed is processed.
   * `ttlSeconds` keeps this session for less than the usual SESSION_TTL_DAYS.
   */
  release(
    lease: Lease,
    session: Session | null,
    options?: { failed?: boolean; ttlSeconds?: number },
  ): Promise<void>;
  /** Deletes the session (used by tests and "forget me" across channels). */
  delete(conversationKey: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
