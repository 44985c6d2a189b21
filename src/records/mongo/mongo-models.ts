import { Schema, type Connection } from "mongoose";
import { PLEDGE_METHODS } from "../pledge.ts";

/**
 * The MongoDB schemas, with their indexes. Only what MongoDB and FerretDB v1 both support:
 * unique and compound indexes, no TTL indexes, no transactions. _id is our own string id.
 */
const pledgeSchema = new Schema(
  {
    _id: { type: String, required: true },
    reference: { type: String, required: true, unique: true },
    // Unique through _id, which is derived from it (pledgeIdFor).
    idempotencyKey: { type: String, required: true },
    amount: { type: Number, required: true, min: 1, validate: Number.isInteger },
    method: { type: String, required: true, enum: PLEDGE_METHODS },
    status: { type: String, required: true, enum: ["pledged", "paid", "cancelled"] },
    channel: { type: String, required: true },
    conversationId: { type: String, required: true },
    userKey: { type: String, required: true, index: true },
    organisation: String,
    ward: String,
    name: String,
    phone: String,
    consentId: String,
    reminders: Number,
    remindersSent: Number,
    lastRemindedAt: String,
    createdAt: { type: String, required: true },
    updatedAt: { type: String, required: true },
  },
  { versionKey: false, collection: "pledges" },
);
// Due reminders. Every index is paid on each pledge insert (bench/README.md): "my pledges" goes
// by userKey, and the admin totals over a date range read the collection (rare, staff only).
pledgeSchema.index({ status: 1, createdAt: 1 });

const broadcastSchema = new Schema(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    message: { type: Schema.Types.Mixed, required: true },
    buttons: { type: Schema.Types.Mixed, default: [] },
    links: { type: Schema.Types.Mixed, default: [] },
    audience: { type: Schema.Types.Mixed, default: {} },
    status: {
      type: String,
      required: true,
      enum: ["draft", "scheduled", "running", "paused", "cancelled", "done"],
      index: true,
    },
    startAt: String,
    createdBy: { type: String, required: true },
    createdAt: { type: String, required: true, index: true },
    updatedAt: { type: String, required: true },
    startedAt: String,
    finishedAt: String,
    queued: Number,
    expanded: Boolean,
    cursor: String,
    batchSeq: Number,
  },
  { versionKey: false, collection: "broadcasts", minimize: false },
);

/** One document per reminder taken (_id "REFERENCE#n"): the unique _id makes taking it atomic. */
const reminderClaimSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: String, required: true } },
  { versionKey: false, collection: "reminder_claims" },
);

const subscriberSchema = new Schema(
  {
    channel: { type: String, required: true },
    userId: { type: String, required: true },
    lang: { type: String, required: true },
    optedIn: { type: Boolean, required: true },
    optedAt: { type: String, required: true },
    blocked: { type: Boolean, required: true, default: false },
    unreachable: { type: String, enum: ["outside_window", "not_following"] },
    unreachableAt: String,
    organisation: String,
  },
  { versionKey: false, collection: "subscribers" },
);
subscriberSchema.index({ channel: 1, userId: 1 }, { unique: true });
subscriberSchema.index({ optedIn: 1, blocked: 1, channel: 1 });

const consentSchema = new Schema(
  {
    _id: { type: String, required: true },
    userKey: { type: String, required: true, index: true },
    purpose: { type: String, required: true },
    wordingKey: { type: String, required: true },
    wordingVersion: { type: String, required: true },
    lang: { type: String, required: true },
    grantedAt: { type: String, required: true },
    withdrawnAt: String,
  },
  { versionKey: false, collection: "consents" },
);

const handoffSchema = new Schema(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    conversationId: { type: String, required: true },
    userKey: { type: String, required: true, index: true },
    lang: { type: String, required: true },
    requestedAt: { type: String, required: true },
    question: String,
    answeredAt: String,
  },
  { versionKey: false, collection: "handoffs" },
);

const auditSchema = new Schema(
  {
    _id: { type: String, required: true },
    actor: { type: String, required: true },
    action: { type: String, required: true },
    target: String,
    details: Schema.Types.Mixed,
    at: { type: String, required: true, index: true },
  },
  { versionKey: false, collection: "audit" },
);

export function mongoModels(conn: Connection) {
  return {
    Pledge: conn.model("Pledge", pledgeSchema),
    Subscriber: conn.model("Subscriber", subscriberSchema),
    Broadcast: conn.model("Broadcast", broadcastSchema),
    ReminderClaim: conn.model("ReminderClaim", reminderClaimSchema),
    Consent: conn.model("Consent", consentSchema),
    Handoff: conn.model("Handoff", handoffSchema),
    Audit: conn.model("Audit", auditSchema),
  };
}
export type MongoModels = ReturnType<typeof mongoModels>;
