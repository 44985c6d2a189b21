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
  "method_state",
  "attribution",
  "payment_accounts",
  "find_own_pledge",
  "set_own_pledge_status",
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/**
 * The vars each action writes: flows:check refuses a flow or copy that reads a var nothing
 * writes (a typo would read as "not set" and take the wrong branch).
 */
export const ACTION_VARS: Record<ActionName, readonly string[]> = {
  begin_pledge: ["pledge_draft"],
  save_pledge: ["reference"],
  list_pledges: ["pledges", "pledge_count"],
  pledge_progress: ["totals_count", "totals_amount"],
  record_consent: ["consent_id"],
  forget_me: ["forgot_pledges", "forgot_subscription", "forgot_consents", "forgot_handoffs"],
  my_data: ["data_pledges", "data_subscribed_since", "data_consents"],
  subscribe: [],
  unsubscribe: [],
  handoff: [],
  sms_plan: ["sms_lines", "sms_total", "sms_messages", "sms_rounded", "sms_links"],
  method_state: ["method_state"],
  attribution: [],
  payment_accounts: ["accounts"],
  find_own_pledge: ["pledge"],
  set_own_pledge_status: [],
};

/**
 * Vars the engine writes (a pressed button's argument, the sentence that started a flow, what
 * was sent that is not text) and those a message the bot sends on its own is rendered with
 * (a reminder: reference, date).
 */
export const ENGINE_VARS = [
  "arg",
  "request",
  "request_read",
  "said",
  "said_read",
  "unsupported",
  "reference",
  "date",
] as const;
