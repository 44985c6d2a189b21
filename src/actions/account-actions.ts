import type { Action } from "../engine/action.ts";
import type { Campaign } from "../engine/campaign-schema.ts";
import { foldText } from "../engine/text-normalize.ts";
import type { Records } from "../records/ports.ts";
import type { StaffAlerts } from "../staff/staff-alerts.ts";
import { vietnamDate } from "../time/vietnam-time.ts";

/**
 * Opts the user in to campaign messages on this channel, with their organisation for audiences
 * by union: from a deep link, else the organisation they named in the pledge (given with
 * consent) when it is one of the campaign's organisations, by code or name.
 */
export function subscribe(records: Records): Action {
  return async ({ session, inbound, now, campaign }) => {
    const organisation = session.org ?? organisationCode(campaign, session.slots.organisation);
    await records.subscribers.setOptIn(
      inbound.channel,
      inbound.userId,
      true,
      session.lang,
      now,
      organisation,
    );
  };
}

/** The campaign organisation a typed name or code stands for (diacritics and case ignored). */
export function organisationCode(campaign: Campaign, typed: unknown): string | undefined {
  if (typeof typed !== "string" || !typed.trim()) return undefined;
  const t = foldText(typed);
  return campaign.organisations.find((o) =>
    [o.code, ...(typeof o.name === "string" ? [o.name] : Object.values(o.name))].some(
      (n) => foldText(n) === t,
    ),
  )?.code;
}

/** Opts the user out; takes effect at once for anything sent later. */
export function unsubscribe(records: Records): Action {
  return async ({ session, inbound, now }) => {
    await records.subscribers.setOptIn(inbound.channel, inbound.userId, false, session.lang, now);
  };
}

/**
 * Deletes the user's personal data: name, phone, organisation and ward from their pledges,
 * their subscription, staff-contact requests and the conversation's answers; withdraws consent
 * (the dated record stays as proof). Counts go to vars.forgot_* so the flow can say what was done.
 */
export function forgetMe(records: Records): Action {
  return async ({ session, inbound, userKey, now }) => {
    session.vars.forgot_pledges = await records.pledges.erasePersonalData(userKey);
    session.vars.forgot_subscription = (await records.subscribers.forget(inbound.channel, inbound.userId))
      ? 1
      : 0;
    session.vars.forgot_consents = await records.consents.withdrawAll(userKey, now);
    session.vars.forgot_handoffs = await records.handoffs.forget(userKey);
    session.forgotAt = now.getTime();
    session.slots = {};
    session.history = [];
    delete session.org;
  };
}

/**
 * What the bot keeps about the user, for them to review (the consent text promises it): the
 * personal details in their pledges, their subscription on this channel, and their consents
 * with dates, into vars.data_* for the my_data flow.
 */
export function myData(records: Records): Action {
  return async ({ session, inbound, userKey }) => {
    const [pledges, subscriber, consents] = await Promise.all([
      records.pledges.listByUser(userKey),
      records.subscribers.get(inbound.channel, inbound.userId),
      records.consents.listByUser(userKey),
    ]);
    session.vars.data_pledges = pledges
      .filter(
        (p) =>
          p.name !== undefined ||
          p.phone !== undefined ||
          p.organisation !== undefined ||
          p.ward !== undefined,
      )
      .map((p) => ({
        reference: p.reference,
        name: p.name ?? "",
        phone: p.phone ?? "",
        organisation: p.organisation ?? "",
        ward: p.ward ?? "",
      }));
    session.vars.data_subscribed_since = subscriber?.optedIn ? vietnamDate(subscriber.optedAt) : "";
    session.vars.data_consents = consents.map((c) => ({
      purpose: c.purpose,
      date: vietnamDate(c.grantedAt),
      state: c.withdrawnAt ? "withdrawn" : "given",
      withdrawn: c.withdrawnAt ? vietnamDate(c.withdrawnAt) : "",
    }));
  };
}

/** Asks staff to pick up the conversation, with the person's question (slots.question) if they gave one; staff are alerted. */
export function handoff(records: Records, alerts?: StaffAlerts): Action {
  return async ({ session, inbound, userKey, now }) => {
    const question =
      typeof session.slots.question === "string" && session.slots.question
        ? session.slots.question
        : undefined;
    const request = await records.handoffs.request({
      channel: inbound.channel,
      conversationId: inbound.conversationId,
      userKey,
      lang: session.lang,
      requestedAt: now.toISOString(),
      ...(question ? { question } : {}),
    });
    alerts?.handoff(request);
  };
}

/** Puts the organisation from a deep link (session.org) into slots.organisation for the pledge. */
export const attribution: Action = async ({ session, campaign }) => {
  const org = campaign.organisations.find((o) => o.code === session.org);
  if (!org) return;
  session.slots.organisation = typeof org.name === "string" ? org.name : org.name[session.lang];
};
