import type { Logger } from "pino";
import { Engine } from "../engine/engine.ts";
import { boundedText, type Inbound } from "../engine/inbound.ts";
import type { Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import { newSession } from "../engine/session.ts";
import type { ConversationStore, Lease } from "../sessions/conversation-store.ts";
import { errorInfo } from "../log/error-info.ts";
import { metrics } from "../metrics/metrics.ts";
import { randomUUID } from "node:crypto";

export interface TurnResult {
  /** True when this message id was seen before: nothing was done. */
  duplicate: boolean;
  replies: Reply[];
  /** The conversation's language after the turn (clients show their own labels in it). */
  lang?: Language;
  /** True when the bot waits for an answer to a question (a form in progress). */
  waiting?: boolean;
  /** True when this turn erased the person's data ("forget me"): clients drop their copy too. */
  forgotten?: boolean;
}

/**
 * One turn, the same for every channel: claim the message id, take the conversation, run the
 * engine on its session, save it, let go. A failure never loses the conversation: the session
 * stays as it was, the message id is freed for a redelivery, and the user gets a friendly error.
 */
export class TurnProcessor {
  /**
   * Channels whose one-message conversations are kept only this long (s): a web chat id costs
   * nothing to make, so a session that never went past its first message must not stay 30 days.
   */
  readonly firstTurnTtlSeconds = new Map<string, number>();

  /** Told when a turn changed the conversation's language (subscriptions follow the latest choice). */
  onLanguageChange: ((inbound: Inbound, lang: Language) => Promise<void>) | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly store: ConversationStore,
    private readonly log: Logger,
    private readonly defaultLanguage: Language,
    private readonly now: () => Date = () => new Date(),
    private readonly errorText: (lang: Language) => string = () => "",
  ) {}

  async process(received: Inbound): Promise<TurnResult> {
    const inbound = boundedText(received);
    const conversationKey = `${inbound.channel}:${inbound.conversationId}`;
    const messageKey = `${inbound.channel}:${inbound.messageId}`;
    const channel = inbound.channel;
    let lease: Lease | null;
    const started = performance.now();
    try {
      lease = await this.store.acquire(conversationKey, messageKey);
      metrics.storeSeconds.observe({ op: "acquire" }, (performance.now() - started) / 1000);
    } catch (err) {
      metrics.turns.inc({ channel, outcome: "store_unavailable" });
      metrics.errors.inc({ kind: "turn" });
      this.log.error(
        {
          err: errorInfo(err),
          kind: "store_unavailable",
          correlationId: randomUUID(),
          channel: inbound.channel,
          messageId: inbound.messageId,
        },
        "turn: session store unavailable",
      );
      return {
        duplicate: false,
        replies: [{ text: this.errorText(Engine.languageFor(inbound.locale, this.defaultLanguage)) }],
      };
    }
    if (!lease) {
      metrics.turns.inc({ channel, outcome: "duplicate" });
      this.log.info(
        { channel: inbound.channel, messageId: inbound.messageId },
        "turn: duplicate delivery ignored",
      );
      return { duplicate: true, replies: [] };
    }
    const session = lease.session ?? newSession(this.defaultLanguage, this.now().getTime());
    const stopRenewing = this.keepLease(lease);
    const langBefore = lease.session?.lang;
    const forgotBefore = session.forgotAt;
    try {
      const replies = await this.engine.handle(session, inbound);
      stopRenewing();
      const releasing = performance.now();
      const short = session.turns === 1 ? this.firstTurnTtlSeconds.get(channel) : undefined;
      await this.store.release(lease, session, short === undefined ? undefined : { ttlSeconds: short });
      metrics.storeSeconds.observe({ op: "release" }, (performance.now() - releasing) / 1000);
      metrics.turnSeconds.observe({ channel }, (performance.now() - started) / 1000);
      metrics.turns.inc({ channel, outcome: "ok" });
      if (this.onLanguageChange && langBefore !== undefined && session.lang !== langBefore)
        await this.onLanguageChange(inbound, session.lang).catch((err: unknown) =>
          this.log.warn({ err: errorInfo(err), channel }, "turn: subscriber language not updated"),
        );
      return {
        duplicate: false,
        replies,
        lang: session.lang,
        waiting: Boolean(session.stack.at(-1)?.waiting),
        ...(session.forgotAt !== forgotBefore && { forgotten: true }),
      };
    } catch (err) {
      stopRenewing();
      metrics.turns.inc({ channel, outcome: "failed" });
      metrics.errors.inc({ kind: "turn" });
      // One structured line per failure; the correlation id ties it to what follows from it.
      this.log.error(
        {
          err: errorInfo(err),
          kind: "turn_failed",
          correlationId: randomUUID(),
          channel: inbound.channel,
          messageId: inbound.messageId,
        },
        "turn failed",
      );
      await this.store
        .release(lease, null, { failed: true })
        .catch((e: unknown) => this.log.error({ err: errorInfo(e) }, "turn: release failed"));
      return { duplicate: false, replies: [{ text: this.errorText(session.lang) }] };
    }
  }

  /**
   * Renews the turn's lease while it runs, so the conversation and the message id stay taken;
   * a process that dies stops renewing and both are free a lease later. A turn still running
   * after MAX_TURN_MS is presumed stuck and renewed no more.
   */
  private keepLease(lease: Lease): () => void {
    const every = this.store.renewEveryMs;
    if (every <= 0) return () => undefined;
    const until = Date.now() + MAX_TURN_MS;
    const timer = setInterval(() => {
      if (Date.now() > until) return clearInterval(timer);
      this.store
        .renew(lease)
        .catch((err: unknown) => this.log.warn({ err: errorInfo(err) }, "turn: lease renewal failed"));
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** The longest a turn keeps its conversation: past it, later turns go ahead. */
const MAX_TURN_MS = 60_000;
