import { createHash } from "node:crypto";

export const PLEDGE_METHODS = ["transfer", "cash", "payroll", "sms", "in_kind"] as const;
export type PledgeMethod = (typeof PLEDGE_METHODS)[number];
export const PLEDGE_STATUSES = ["pledged", "paid", "cancelled"] as const;
export type PledgeStatus = (typeof PLEDGE_STATUSES)[number];

/** A donation pledge. Amounts are whole VND. Personal fields exist only with consent. */
export interface Pledge {
  id: string;
  reference: string;
  /** Channel + message id of the confirming turn: saving the same turn twice is one pledge. */
  idempotencyKey: string;
  amount: number;
  method: PledgeMethod;
  status: PledgeStatus;
  channel: string;
  conversationId: string;
  /** channel:platformUserId — whose pledge this is. */
  userKey: string;
  organisation?: string;
  ward?: string;
  name?: string;
  phone?: string;
  consentId?: string;
  /**
   * Payment reminders claimed so far (sent or skipped: the sweep's compare-and-set counter), and
   * when the last was claimed; remindersSent counts only those that reached the donor.
   */
  reminders?: number;
  lastRemindedAt?: string;
  remindersSent?: number;
  createdAt: string;
  updatedAt: string;
}

export type NewPledge = Omit<
  Pledge,
  "id" | "reference" | "status" | "createdAt" | "updatedAt" | "reminders" | "lastRemindedAt" | "remindersSent"
>;

/**
 * A pledge's id, derived from its idempotency key: every process that saves the same confirming
 * turn (directly, or later from the outbox) names it the same, so MongoDB's _id index alone makes
 * the save exactly-once (no second unique index to maintain on every insert). Hashed, so the id
 * does not carry the chat id inside the key.
 */
export function pledgeIdFor(idempotencyKey: string): string {
  return createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
}

const REQUIRED_TEXT = [
  "id",
  "reference",
  "idempotencyKey",
  "channel",
  "conversationId",
  "userKey",
  "createdAt",
  "updatedAt",
] as const;

/**
 * Refuses a pledge no store should keep: a nonsense amount, an unknown method or status, a
 * missing id or owner. Every pledge repository checks before it writes (MongoDB's inserts skip
 * the mongoose document, which cost a quarter of a pledge save's CPU: bench/README.md).
 */
export function checkPledge(p: Pledge): Pledge {
  if (!Number.isSafeInteger(p.amount) || p.amount < 1)
    throw pledgeError(p, `amount must be a whole number of VND, at least 1 (got ${p.amount})`);
  if (!PLEDGE_METHODS.includes(p.method)) throw pledgeError(p, `unknown method "${p.method}"`);
  if (!PLEDGE_STATUSES.includes(p.status)) throw pledgeError(p, `unknown status "${p.status}"`);
  for (const field of REQUIRED_TEXT)
    if (typeof p[field] !== "string" || p[field] === "") throw pledgeError(p, `${field} is missing`);
  return p;
}

function pledgeError(p: Pledge, what: string): Error {
  return new Error(`pledge ${p.reference || "?"}: ${what}`);
}
