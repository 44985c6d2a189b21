import { z } from "zod";
import { payloadSchema } from "../engine/flow-schema.ts";

export const BROADCAST_STATUSES = ["draft", "scheduled", "running", "paused", "cancelled", "done"] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** Pledge status audiences: has an unpaid pledge, has a paid one, never pledged (cancelled ones aside). */
export const PLEDGE_AUDIENCES = ["unpaid", "paid", "none"] as const;
export type PledgeAudience = (typeof PLEDGE_AUDIENCES)[number];

const languages = z.enum(["vi", "en"]);
/** Copy staff give: a locale key (rendered in each recipient's language) or text per language. */
const copy = z.union([
  z
    .object({ key: z.string().regex(/^[a-z_]+\.[a-z0-9_.]+$/, "a locale key such as broadcast.peak_month") })
    .strict(),
  z
    .object({
      text: z
        .partialRecord(languages, z.string().trim().min(1))
        .refine((t) => Object.keys(t).length > 0, "text in at least one language"),
    })
    .strict(),
]);

/** What staff send to create a broadcast (admin API body, Telegram /bc_new). */
export const broadcastInput = z
  .object({
    title: z.string().trim().min(1).max(120),
    message: copy,
    buttons: z
      .array(z.object({ label: copy, payload: payloadSchema }).strict())
      .max(3)
      .default([]),
    links: z
      .array(
        z
          .object({
            label: copy,
            url: z.string().regex(/^(https:\/\/|sms:|tel:)/, "an https:, sms: or tel: link"),
          })
          .strict(),
      )
      .max(3)
      .default([]),
    audience: z
      .object({
        channels: z.array(z.string().min(1)).min(1).optional(),
        langs: z.array(languages).min(1).optional(),
        organisations: z.array(z.string().min(1)).min(1).optional(),
        pledgeStatus: z.array(z.enum(PLEDGE_AUDIENCES)).min(1).optional(),
        /** Exactly these people (`channel:userId`), e.g. a resend to a broadcast's unconfirmed. */
        recipients: z
          .array(z.string().regex(/^[a-z-]+:[A-Za-z0-9_-]{1,64}$/, "channel:userId"))
          .min(1)
          .max(5_000)
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type BroadcastInput = z.infer<typeof broadcastInput>;
export type BroadcastCopy = z.infer<typeof copy>;

/** A broadcast as stored. Delivery counts live in the delivery ledger, not here. */
export interface Broadcast extends BroadcastInput {
  id: string;
  status: BroadcastStatus;
  /** When sending may begin (ISO); quiet hours can push the first message later. */
  startAt?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Recipients queued so far, and whether the whole audience has been queued. */
  queued?: number;
  expanded?: boolean;
  /** Where queuing resumes after a crash: the last recipient key queued and batches made. */
  cursor?: string;
  batchSeq?: number;
}

/** Which status changes staff may make, from which states. */
export const TRANSITIONS = {
  start: ["draft"],
  pause: ["scheduled", "running"],
  resume: ["paused"],
  cancel: ["draft", "scheduled", "running", "paused"],
} as const satisfies Record<string, readonly BroadcastStatus[]>;
export type BroadcastCommand = keyof typeof TRANSITIONS;
