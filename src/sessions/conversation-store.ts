import type { Session } from "../engine/session.ts";

/** A turn's hold on a conversation: released with the new session (or nothing, to keep the old). */
export interface Lease {
  key: string;
  token: string;
  session: Session | null;
}

/**
 * Where sessions live, and the guard that applies one turn at a time per conversation in
 * arrival order. `acquire` claims the message id (dedupe), takes the conversation's lock and
 * reads its session in one step; `release` writes the session and frees the lock in one step,
 * so a Redis implementation needs two round trips per turn.
 */
export interface ConversationStore {
  /** Null when this message id was already claimed (a repeated delivery). */
  acquire(conversationKey: string, messageKey: string): Promise<Lease | null>;
  /**
   * Writes the session (unless null) and frees the lock. `failed` also frees the message id,
   * so a redelivery of a turn that crashed is processed.
   */
  release(
    lease: Lease,
    session: Session | null,
    options?: { failed?: boolean; messageKey?: string },
  ): Promise<void>;
  /** Deletes the session (used by tests and "forget me" across channels). */
  delete(conversationKey: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
