import type { Logger } from "pino";
import { Engine } from "../engine/engine.ts";
import { boundedText, type Inbound } from "../engine/inbound.ts";
import type { Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import { newSession } from "../engine/session.ts";
import type { ConversationStore, Lease } from "../sessions/conversation-store.ts";
import { errorInfo } from "../log/error-info.ts";

export interface TurnResult {
  /** True when this message id was seen before: nothing was done. */
  duplicate: boolean;
  replies: Reply[];
}

/**
 * One turn, the same for every channel: claim the message id, take the conversation, run the
 * engine on its session, save it, let go. A failure never loses the conversation: the session
 * stays as it was, the message id is freed for a redelivery, and the user gets a friendly error.
 */
export class TurnProcessor {
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
    let lease: Lease | null;
    try {
      lease = await this.store.acquire(conversationKey, messageKey);
    } catch (err) {
      this.log.error(
        { err: errorInfo(err), channel: inbound.channel, messageId: inbound.messageId },
        "turn: session store unavailable",
      );
      return {
        duplicate: false,
        replies: [{ text: this.errorText(Engine.languageFor(inbound.locale, this.defaultLanguage)) }],
      };
    }
    if (!lease) {
      this.log.info(
        { channel: inbound.channel, messageId: inbound.messageId },
        "turn: duplicate delivery ignored",
      );
      return { duplicate: true, replies: [] };
    }
    const session = lease.session ?? newSession(this.defaultLanguage, this.now().getTime());
    try {
      const replies = await this.engine.handle(session, inbound);
      await this.store.release(lease, session);
      return { duplicate: false, replies };
    } catch (err) {
      this.log.error(
        { err: errorInfo(err), channel: inbound.channel, messageId: inbound.messageId },
        "turn failed",
      );
      await this.store
        .release(lease, null, { failed: true, messageKey })
        .catch((e: unknown) => this.log.error({ err: errorInfo(e) }, "turn: release failed"));
      return { duplicate: false, replies: [{ text: this.errorText(session.lang) }] };
    }
  }
}
