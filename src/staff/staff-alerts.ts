import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";
import type { HandoffRequest } from "../records/ports.ts";

type Listener = (request: HandoffRequest) => Promise<void>;

/**
 * Tells staff what needs them (a new "talk to staff" request) through the channels that listen
 * (Telegram, to TELEGRAM_STAFF_IDS). In the background: an alert never delays or fails the turn
 * of the person who asked.
 */
export class StaffAlerts {
  private readonly listeners: Listener[] = [];

  constructor(private readonly log: Logger) {}

  subscribe(listener: Listener): void {
    this.listeners.push(listener);
  }

  handoff(request: HandoffRequest): void {
    for (const listener of this.listeners) void listener(request).catch((err: unknown) => this.log.warn({ err: errorInfo(err), handoff: request.id }, "staff alert: could not send"));
  }
}
