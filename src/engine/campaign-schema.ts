import { z } from "zod";

/** A text given per language; a plain string is the same in every language. */
export const localizedText = z.union([
  z.string().min(1),
  z.object({ vi: z.string().min(1), en: z.string().min(1) }).strict(),
]);
export type LocalizedText = z.infer<typeof localizedText>;

const isoDate = z.iso.date();

/** What a way to give needs from this file before the bot can tell a donor how to use it. */
export const WAY_NEEDS = ["nothing", "bank_account", "office_address", "sms_window"] as const;

/**
 * One way to give: what it needs, and what the bot does while that is missing: `hide` (not
 * offered) or `explain` (offered, with what happens next said before the donor confirms).
 */
const wayToGive = z
  .object({ needs: z.enum(WAY_NEEDS), missing: z.enum(["hide", "explain"]).optional() })
  .strict()
  .refine((w) => w.needs === "nothing" || w.missing !== undefined, {
    message: "say what the bot does while it is missing: missing: hide or missing: explain",
    path: ["missing"],
  });

/** flows/campaign.yaml: the facts the bot tells donors, maintained by staff. */
export const campaignSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    city: localizedText,
    fund_name: localizedText,
    source_document: localizedText,
    peak_month: z.object({ start: isoDate, end: isoDate }).strict(),
    organisers: z.record(z.string(), localizedText),
    emulation_movement: z
      .object({ name: z.string(), decision: z.string(), decision_date: isoDate, period: z.string() })
      .strict(),
    sms: z
      .object({
        keyword: z.string().regex(/^[A-Z0-9]+$/, "an upper-case keyword such as VNN"),
        short_number: z.string().regex(/^\d{3,6}$/, "a short number of 3 to 6 digits"),
        unit_value: z.number().int().positive(),
        min_units: z.number().int().positive(),
        max_units: z.number().int().positive(),
        opens: isoDate,
        closes: isoDate,
        hotline: z.string(),
        site: z.url(),
        portal: localizedText,
      })
      .strict()
      .refine((s) => s.min_units <= s.max_units, "min_units must not exceed max_units"),
    payment: z
      .object({
        bank_accounts: z.array(
          z
            .object({
              bank: z.string().min(1),
              account_number: z.string().regex(/^[0-9 ]{6,30}$/, "digits only"),
              account_name: z.string().min(1),
              note_format: z.string().includes("{ref}", { message: "must contain {ref}" }),
            })
            .strict(),
        ),
      })
      .strict(),
    /**
     * Who to reach for what: the SMS helpline is sms.hotline (text donations only); the office
     * takes cash and in-kind gifts, receipts and general questions; staff answer what the bot
     * cannot. An empty value is "not published", and the bot says so.
     */
    contacts: z
      .object({
        office: z
          .object({
            name: localizedText,
            address: z.string(),
            phone: z.string(),
            hours: z.union([z.literal(""), localizedText]),
          })
          .strict(),
        staff: z.object({ phone: z.string(), email: z.string() }).strict(),
      })
      .strict(),
    ways_to_give: z.record(z.string().regex(/^[a-z0-9_]{1,40}$/), wayToGive),
    organisations: z.array(
      z.object({ code: z.string().regex(/^[a-z0-9_-]{1,32}$/), name: localizedText }).strict(),
    ),
    pledge: z
      .object({
        min_amount: z.number().int().positive(),
        max_amount: z.number().int().positive(),
        reference_prefix: z.string().regex(/^[A-Z]{2,5}$/),
        /** Whether the bot tells anyone who asks how many pledges (and how much) were made through it. */
        public_totals: z.boolean().default(false),
        /** The last day pledges are taken here ("" while they stay open: the fund receives gifts all year). */
        closes: z.union([z.literal(""), isoDate]).default(""),
      })
      .strict(),
  })
  .strict();

export type Campaign = z.infer<typeof campaignSchema>;
