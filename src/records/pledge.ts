export const PLEDGE_METHODS = ["transfer", "cash", "payroll", "sms", "in_kind"] as const;
export type PledgeMethod = (typeof PLEDGE_METHODS)[number];
export type PledgeStatus = "pledged" | "paid" | "cancelled";

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
  /** Payment reminders sent so far, and when the last one went out. */
  reminders?: number;
  lastRemindedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type NewPledge = Omit<Pledge, "id" | "reference" | "status" | "createdAt" | "updatedAt" | "reminders" | "lastRemindedAt">;
