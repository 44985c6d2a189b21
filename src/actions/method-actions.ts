import type { Action } from "../engine/action.ts";
import { campaignToday } from "../engine/campaign-today.ts";

/**
 * Whether the way to give in slots.method works today, into vars.method_state: "ready",
 * "explain" (offered, and what happens next is said before the donor confirms) or "hidden" (not
 * offered: a donor who names it is told why). Campaign data decides per method (ways_to_give).
 */
export const methodState: Action = async ({ session, campaign, now }) => {
  const method = String(session.slots.method ?? "");
  const state = campaignToday(campaign, now).ways[method];
  if (!state) throw new Error(`method_state: "${method}" is not in ways_to_give (flows/campaign.yaml)`);
  session.vars.method_state = state;
};
