import type { Action } from "../engine/action.ts";
import type { Campaign } from "../engine/campaign-schema.ts";

export interface SmsLine {
  /** How many identical messages to send. */
  count: number;
  units: number;
  /** The message body, e.g. "VNN 25". */
  body: string;
  value: number;
}

/**
 * How to give `amount` VND by SMS: messages of at most max_units units each. An amount that is
 * not a whole number of units is rounded to the nearest unit (at least one).
 */
export function smsPlan(
  amount: number,
  sms: Campaign["sms"],
): { lines: SmsLine[]; total: number; messages: number; rounded: boolean } {
  const units = Math.max(sms.min_units, Math.round(amount / sms.unit_value));
  const full = Math.floor(units / sms.max_units);
  const rest = units % sms.max_units;
  const line = (count: number, n: number): SmsLine => ({
    count,
    units: n,
    body: `${sms.keyword} ${n}`,
    value: n * sms.unit_value,
  });
  const lines = [
    ...(full > 0 ? [line(full, sms.max_units)] : []),
    ...(rest > 0 ? [line(1, Math.max(rest, sms.min_units))] : []),
  ];
  const total = lines.reduce((s, l) => s + l.count * l.value, 0);
  return { lines, total, messages: full + (rest > 0 ? 1 : 0), rounded: total !== amount };
}

/** `sms:` link that opens the phone's messaging app with the body filled in. */
export function smsLink(shortNumber: string, body: string): string {
  return `sms:${shortNumber}?body=${encodeURIComponent(body)}`;
}

/** Plans the SMS messages for slots.amount (or the `amount` param) into vars.sms_*. */
export const smsPlanAction: Action = async ({ session, campaign, params }) => {
  const amount = Number(params.amount ?? session.slots.amount);
  if (!Number.isFinite(amount) || amount <= 0) throw new Error("sms_plan: no amount in slots.amount");
  const plan = smsPlan(amount, campaign.sms);
  session.vars.sms_lines = plan.lines;
  session.vars.sms_total = plan.total;
  session.vars.sms_messages = plan.messages;
  session.vars.sms_rounded = plan.rounded;
  // Links carry the SMS body as their label: it is the same in every language.
  session.vars.sms_links = plan.lines.map((l) => ({
    label: `${l.count > 1 ? `${l.count} × ` : ""}${l.body} → ${campaign.sms.short_number}`,
    url: smsLink(campaign.sms.short_number, l.body),
  }));
};
