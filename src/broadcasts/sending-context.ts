import type { Logger } from "pino";
import type { Engine } from "../engine/engine.ts";
import type { Language } from "../engine/locales.ts";
import type { Records } from "../records/ports.ts";
import type { ProactiveSender } from "./proactive-sender.ts";
import type { QuietHours } from "./quiet-hours.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** What everything that sends proactively (broadcasts, reminders, test sends) works with. */
export interface SendingContext {
  records: Records;
  engine: Engine;
  limiter: RateLimiter;
  /** The running channels' senders, by channel name. */
  senders: ReadonlyMap<string, ProactiveSender>;
  quiet: QuietHours | null;
  now: () => Date;
  log: Logger;
  defaultLang: Language;
}
