import type { Campaign } from "./campaign-schema.ts";
import type { Inbound } from "./inbound.ts";
import type { Session } from "./session.ts";

/** What a named action sees: the conversation, the message that triggered it, its `with` values. */
export interface ActionContext {
  session: Session;
  inbound: Inbound;
  params: Record<string, unknown>;
  campaign: Campaign;
  now: Date;
  /** channel:platformUserId */
  userKey: string;
}

/**
 * A behaviour flows call by name (`action: save_pledge`). It reads and writes session slots
 * and vars; throwing sends the flow to the step's on_error (or the generic error message).
 */
export type Action = (ctx: ActionContext) => Promise<void>;

/** The names flows may use; flows:check validates against this list without building services. */
export const ACTION_NAMES = [
  "begin_pledge",
  "save_pledge",
  "list_pledges",
  "pledge_progress",
  "record_consent",
  "forget_me",
  "my_data",
  "subscribe",
  "unsubscribe",
  "handoff",
  "sms_plan",
  "sms_window",
  "attribution",
  "payment_accounts",
  "find_own_pledge",
  "set_own_pledge_status",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];
