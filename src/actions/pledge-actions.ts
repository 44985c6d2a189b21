import { randomUUID } from "node:crypto";
import type { Action } from "../engine/action.ts";
import type { Records } from "../records/ports.ts";
import { PLEDGE_METHODS, type Pledge, type PledgeMethod } from "../records/pledge.ts";
import { vietnamDate } from "../time/vietnam-time.ts";

/**
 * A new pledge draft: its id, kept in the session, is the pledge's identity. A pledge flow
 * starts with it, so every pledge the donor begins is a new one, whatever became of the
 * session before (a restart, a flushed store, 30 idle days).
 */
export const beginPledge: Action = async ({ session }) => {
  session.vars.pledge_draft = randomUUID();
};

/**
 * Saves the pledge in slots. Personal fields are kept only when slots.consent is true.
 * The idempotency key is the draft begun with the flow (not a turn counter, which starts again
 * with a new session): a redelivered "confirm", or a "confirm" sent again after the session
 * write was lost (the session still holds the draft), finds the pledge already saved instead of
 * making a second one; a new pledge always has a new draft, so it is never "the old one".
 */
export function savePledge(records: Records): Action {
  return async ({ session, inbound, userKey }) => {
    const s = session.slots;
    // A session from before drafts existed: this confirm begins its draft.
    if (typeof session.vars.pledge_draft !== "string") session.vars.pledge_draft = randomUUID();
    const method = String(s.method) as PledgeMethod;
    if (typeof s.amount !== "number" || !PLEDGE_METHODS.includes(method))
      throw new Error("save_pledge: amount or method missing in slots");
    const consented = s.consent === true;
    const { pledge } = await records.pledges.create({
      idempotencyKey: `${inbound.channel}:${inbound.conversationId}:draft:${session.vars.pledge_draft}`,
      amount: s.amount,
      method,
      channel: inbound.channel,
      conversationId: inbound.conversationId,
      userKey,
      organisation: consented ? (text(s.organisation) ?? session.org) : session.org,
      ward: consented ? text(s.ward) : undefined,
      name: consented ? text(s.name) : undefined,
      phone: consented ? text(s.phone) : undefined,
      consentId: consented ? text(session.vars.consent_id) : undefined,
    });
    session.vars.reference = pledge.reference;
  };
}

/** A non-empty string slot, or nothing. */
function text(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/** Lists the user's pledges into vars.pledges (newest last) for a `say` with `each`. */
export function listPledges(records: Records): Action {
  return async ({ session, userKey }) => {
    const pledges = await records.pledges.listByUser(userKey);
    session.vars.pledges = pledges.map(pledgeView);
    session.vars.pledge_count = pledges.length;
  };
}

/** What flows show of a pledge (no personal fields). */
function pledgeView(p: Pledge): Record<string, unknown> {
  return {
    reference: p.reference,
    amount: p.amount,
    method: p.method,
    status: p.status,
    date: vietnamDate(p.createdAt),
  };
}

/** Records explicit consent with the wording key and version the user saw (flow `with`). */
export function recordConsent(records: Records): Action {
  return async ({ session, params, userKey, now }) => {
    const wordingKey = String(params.wording ?? "");
    const wordingVersion = String(params.version ?? "");
    const purpose = String(params.purpose ?? "");
    if (!wordingKey || !wordingVersion || !purpose)
      throw new Error("record_consent: needs with.purpose, with.wording and with.version");
    const record = await records.consents.record({
      userKey,
      purpose,
      wordingKey,
      wordingVersion,
      lang: session.lang,
      grantedAt: now.toISOString(),
    });
    session.vars.consent_id = record.id;
  };
}

/** Bank accounts from campaign data with the transfer note for this pledge's reference. */
export const paymentAccounts: Action = async ({ session, campaign }) => {
  const ref = String(session.vars.reference ?? "");
  session.vars.accounts = campaign.payment.bank_accounts.map((a) => ({
    ...a,
    note: a.note_format.replaceAll("{ref}", ref),
  }));
};

/**
 * The pledge a reminder button names (vars.arg, e.g. "vnn-7k3m9q"), or without one the user's
 * newest unpaid pledge, into vars.pledge, only if it is the user's own and still unpaid (any
 * status with `with: { any_status: true }`: a code typed to look it up); otherwise vars.pledge
 * stays unset, so nobody learns of another person's pledge.
 */
export function findOwnPledge(records: Records): Action {
  return async ({ session, userKey, params }) => {
    delete session.vars.pledge; // never one found by an earlier flow
    const reference = String(session.vars.arg ?? "").toUpperCase();
    // Typed ("tôi đã chuyển khoản rồi"), not pressed on a reminder: the user's newest unpaid pledge,
    // which the flow names before changing anything.
    const pledge = reference
      ? await records.pledges.findByReference(reference)
      : (await records.pledges.listByUser(userKey)).filter((p) => p.status === "pledged").at(-1);
    if (pledge && pledge.userKey === userKey && (pledge.status === "pledged" || params.any_status === true))
      session.vars.pledge = pledgeView(pledge);
  };
}

/** Marks vars.pledge paid or cancelled at the donor's word (`with: { status }`); reminders stop. */
export function setOwnPledgeStatus(records: Records): Action {
  return async ({ session, params, userKey, now }) => {
    const status = params.status;
    const pledge = session.vars.pledge as { reference?: string } | undefined;
    if ((status !== "paid" && status !== "cancelled") || !pledge?.reference)
      throw new Error("set_own_pledge_status: needs with.status paid|cancelled and vars.pledge");
    await records.pledges.setStatus(pledge.reference, status);
    await records.audit.record({
      actor: `donor:${userKey}`,
      action: `pledge.donor_${status === "paid" ? "paid" : "cancelled"}`,
      target: pledge.reference,
      at: now.toISOString(),
    });
  };
}
