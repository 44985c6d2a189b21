import type { Logger } from "pino";
import { errorInfo } from "../log/error-info.ts";
import type { HandoffRequest } from "../records/ports.ts";

/** A channel that reaches staff (Telegram, to TELEGRAM_STAFF_IDS). */
export interface StaffListener {
  handoff(request: HandoffRequest): Promise<void>;
  /** The end-of-day summary (STAFF_DIGEST_AT): totals and the requests still waiting. */
  digest(): Promise<void>;
}

/**
 * Tells staff what needs them: a new "talk to staff" request (in the background, so an alert
 * never delays or fails the turn of the person who asked), and the daily digest.
 */
export class StaffAlerts {
  private readonly listeners: StaffListener[] = [];

  constructor(private readonly log: Logger) {}

  subscribe(listener: StaffListener): void {
    this.listeners.push(listener);
  }

  handoff(request: HandoffRequest): void {
    for (const l of this.listeners)
      void l
        .handoff(request)
        .catch((err: unknown) =>
          this.log.warn({ err: errorInfo(err), handoff: request.id }, "staff alert: could not send"),
        );
  }

  /** Runs as a scheduled job: waits for every listener; a failed one is logged, not retried. */
  async digest(): Promise<void> {
    const results = await Promise.allSettled(this.listeners.map((l) => l.digest()));
    for (const r of results)
      if (r.status === "rejected")
        this.log.warn({ err: errorInfo(r.reason) }, "staff digest: could not send");
  }
}
