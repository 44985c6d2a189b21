import { z } from "zod";

/**
 * The flow language. A flow is a list of steps run top to bottom; each step has exactly one
 * kind key (say, ask, branch, goto, call, start, action, clear, set, end).
 */

export const SLOT_TYPES = ["amount", "phone", "name", "text", "choice", "yesno"] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

export const STEP_KINDS = [
  "say",
  "ask",
  "branch",
  "goto",
  "call",
  "start",
  "action",
  "clear",
  "set",
  "end",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

const stepId = z.string().regex(/^[a-z][a-z0-9_]*$/, "a step id in snake_case");
const flowId = z.string().regex(/^[a-z][a-z0-9_]*$/, "a flow id in snake_case");
const slotName = z.string().regex(/^[a-z][a-z0-9_]*$/, "a slot name in snake_case");
const localeKey = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, "a locale key such as pledge.ask_amount");
/**
 * A value path into the turn context: slots.x, vars.x, campaign.x.y, session.lang, item.x, the
 * campaign as it stands today (now.sms, now.ways.transfer) or the setup (setup.staff).
 */
export const valuePath = z
  .string()
  .regex(
    /^(slots|vars|campaign|session|item|now|setup)(\.[a-z0-9_]+)+$/,
    "a path such as slots.amount or campaign.sms.keyword",
  );

/**
 * Button payloads are short (Telegram allows 64 bytes) and never carry user text. A flow may
 * take one argument (flow:pledge_paid@vnn-7k3m9q, a reminder's pledge), which lands in vars.arg.
 */
export const PAYLOAD_PATTERN =
  /^((flow:[a-z0-9_]{1,40}(@[a-z0-9-]{1,16})?)|((faq|v|lang|cmd):[a-z0-9_]{1,40}))$/;
export const payloadSchema = z
  .string()
  .regex(PAYLOAD_PATTERN, "a payload such as flow:pledge, faq:sms, v:yes, lang:en or cmd:menu");

/** `arg` appends a value from the turn to a flow payload (flow:pledge_paid + vars.reference → flow:pledge_paid@vnn-7k3m9q). */
const button = z
  .object({ label: localeKey, payload: payloadSchema, arg: valuePath.optional() })
  .strict()
  .refine((b) => !b.arg || /^flow:[a-z0-9_]+$/.test(b.payload), {
    message: "arg needs a flow payload without an argument of its own (flow:name)",
    path: ["arg"],
  });
const link = z
  .object({
    label: localeKey,
    url: z.string().regex(/^(https?:|sms:|tel:|\{\{)/, "an http(s), sms: or tel: URL"),
  })
  .strict();
const params = z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), valuePath);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z
  .object({
    path: valuePath,
    equals: scalar.optional(),
    in: z.array(scalar).optional(),
    set: z.boolean().optional(),
    empty: z.boolean().optional(),
  })
  .strict()
  .refine(
    (c) => [c.equals, c.in, c.set, c.empty].filter((x) => x !== undefined).length === 1,
    "a condition needs exactly one of equals, in, set, empty",
  );

const base = { id: stepId.optional() };

/**
 * Why an answer was refused when the reason deserves its own words: an amount outside the
 * campaign's limits, not in đồng, or in wages; `shorthand`: a bare figure below the minimum that
 * reads as thousands ("500": 500.000 đ?).
 */
export type SlotRejection = "too_small" | "shorthand" | "too_large" | "foreign_currency" | "wage";

export const stepSchemas = {
  say: z
    .object({
      ...base,
      say: localeKey,
      params: params.optional(),
      /** Render the text once per item of this list (item.* in the copy), as one message. */
      each: valuePath.optional(),
      buttons: z.array(button).optional(),
      links: z.array(link).optional(),
      /** Links an action computed ({label, url} items), e.g. the sms: links of an SMS plan. */
      links_from: valuePath.optional(),
    })
    .strict(),
  ask: z
    .object({
      ...base,
      ask: z.enum(SLOT_TYPES),
      slot: slotName,
      prompt: localeKey,
      reask: localeKey.optional(),
      /** Copy for a refused answer by reason, instead of reask: an amount below or above the campaign's limits, in another currency, or in wages. */
      reasks: z
        .object({
          too_small: localeKey.optional(),
          shorthand: localeKey.optional(),
          too_large: localeKey.optional(),
          foreign_currency: localeKey.optional(),
          wage: localeKey.optional(),
        } satisfies Record<SlotRejection, unknown>)
        .strict()
        .optional(),
      params: params.optional(),
      max_attempts: z.number().int().min(1).max(10).default(3),
      on_fail: stepId.optional(),
      /**
       * `when`: the choice is offered (a button, a number) only while the condition holds; typed
       * or pressed anyway, it still counts, so the flow can say why it is not available.
       */
      choices: z
        .array(
          z
            .object({
              value: z.string().regex(/^[a-z0-9_]{1,40}$/),
              label: localeKey,
              match: z.array(z.string()).optional(),
              /** Picked by a message of this intent (nlu/intents) that no match word reads: "chuẩn luôn" is affirm. */
              intent: z.string().optional(),
              when: conditionSchema.optional(),
            })
            .strict(),
        )
        .optional(),
      optional: z.boolean().optional(),
      skip_if_filled: z.boolean().optional(),
      /**
       * When the flow was started by a sentence ("tôi muốn ủng hộ 1 triệu"), read the slot from it
       * first (once per step); and from the answer just given, when it said more (`from_answer`).
       */
      from_request: z.boolean().optional(),
      /** Read the slot from the answer just given when it said more ("sửa số tiền thành 1 triệu" at the summary). */
      from_answer: z.boolean().optional(),
      /**
       * Copy for an answer that names something this question cannot take ("10 bao gạo" at the
       * amount question: in kind, so its value in money), and the prompt when the sentence that
       * started the flow names it ("tôi muốn ủng hộ gạo").
       */
      reask_when: z
        .array(z.object({ match: z.array(z.string().min(2)).min(1), say: localeKey }).strict())
        .optional(),
      /** On a text question: what people say before the answer, dropped ("tôi làm ở …", "tôi ở …"). */
      lead_ins: z.array(z.string().min(1)).optional(),
      /**
       * On a yes/no question: more words that mean yes here only ("nộp rồi" to "have you paid?",
       * which at "do you want reminders?" would sign a person up for messages).
       */
      yes: z.array(z.string().min(1)).optional(),
      /** false: a question typed here is the answer (what to ask staff), never a FAQ lookup. */
      faq: z.boolean().optional(),
      /** Said when from_request or from_answer read the slot, so the person sees what was understood. */
      heard: localeKey.optional(),
      /**
       * On an amount: a pledgeable amount typed at a later question of the flow, up to the step
       * `until` ("à nhầm, 1 triệu" before the pledge is confirmed), replaces it; `say` is said,
       * then that question is asked again.
       */
      corrected: z.object({ say: localeKey, until: stepId }).strict().optional(),
      offer_contact: z.boolean().optional(),
      buttons: z.array(button).optional(),
    })
    .strict()
    .refine(
      (s) => (s.ask === "choice") === (s.choices !== undefined && s.choices.length > 0),
      "a choice question needs choices, and only a choice question has them",
    )
    .refine(
      (s) => s.reasks === undefined || s.ask === "amount",
      "only an amount question has reasks (too_small, shorthand, too_large, foreign_currency, wage)",
    )
    .refine(
      (s) => s.corrected === undefined || s.ask === "amount",
      "only an amount question can be corrected later (corrected)",
    )
    .refine(
      (s) => s.yes === undefined || s.ask === "yesno",
      "only a yes/no question has its own yes words (yes)",
    )
    .refine(
      (s) => s.lead_ins === undefined || s.ask === "text",
      "only a text question drops lead-ins (lead_ins)",
    ),
  branch: z
    .object({
      ...base,
      branch: z.array(z.object({ when: conditionSchema, goto: stepId }).strict()).min(1),
      else: stepId.optional(),
    })
    .strict(),
  goto: z.object({ ...base, goto: stepId }).strict(),
  call: z.object({ ...base, call: flowId }).strict(),
  /** `with_request`: the sentence that led here (vars.request) goes along, for the flow's `from_request` questions. */
  start: z.object({ ...base, start: flowId, with_request: z.literal(true).optional() }).strict(),
  action: z
    .object({
      ...base,
      action: z.string(),
      with: z.record(z.string(), z.union([scalar, valuePath])).optional(),
      on_error: stepId.optional(),
    })
    .strict(),
  clear: z.object({ ...base, clear: z.array(z.union([slotName, valuePath])).min(1) }).strict(),
  set: z.object({ ...base, set: z.record(slotName, z.union([scalar, z.null()])) }).strict(),
  end: z.object({ ...base, end: z.literal(true) }).strict(),
} as const;

export type SayStep = z.infer<typeof stepSchemas.say>;
export type AskStep = z.infer<typeof stepSchemas.ask>;
export type BranchStep = z.infer<typeof stepSchemas.branch>;
export type Condition = z.infer<typeof conditionSchema>;
export type Button = z.infer<typeof button>;
export type Link = z.infer<typeof link>;

export type Step =
  | ({ kind: "say" } & SayStep)
  | ({ kind: "ask" } & AskStep)
  | ({ kind: "branch" } & BranchStep)
  | ({ kind: "goto" } & z.infer<typeof stepSchemas.goto>)
  | ({ kind: "call" } & z.infer<typeof stepSchemas.call>)
  | ({ kind: "start" } & z.infer<typeof stepSchemas.start>)
  | ({ kind: "action" } & z.infer<typeof stepSchemas.action>)
  | ({ kind: "clear" } & z.infer<typeof stepSchemas.clear>)
  | ({ kind: "set" } & z.infer<typeof stepSchemas.set>)
  | ({ kind: "end" } & z.infer<typeof stepSchemas.end>);

/** A step after loading: its kind is explicit and its id is set ("#3" when the file gave none). */
export type LoadedStep = Step & { id: string; index: number };

export interface Flow {
  id: string;
  file: string;
  steps: LoadedStep[];
}

export const flowFileSchema = z
  .object({
    flows: z.record(
      flowId,
      z
        .object({
          description: z.string().optional(),
          steps: z.array(z.record(z.string(), z.unknown())).min(1),
        })
        .strict(),
    ),
  })
  .strict();

/** flows/faq.yaml: what answers each intent (its examples are in nlu/intents/<id>.yaml). */
export const faqFileSchema = z
  .object({
    faq: z.array(
      z
        .object({
          id: z.string().regex(/^[a-z][a-z0-9_]*$/),
          answer: localeKey.optional(),
          params: params.optional(),
          buttons: z.array(button).optional(),
          links: z.array(link).optional(),
          /** A flow to run after the answer; a question in progress resumes after it. */
          call: flowId.optional(),
          /** A flow to switch to (what the user asked to do), leaving any question in progress. */
          start: flowId.optional(),
          /**
           * Also matches a sentence that states an amount ("đổi thành 1 triệu"), which otherwise
           * starts a pledge; the flow finds the sentence in vars.request.
           */
          amounts: z.literal(true).optional(),
          /** Never offered when asking back ("Ý bạn là…?"); answered as it is when it is the likeliest. */
          ask_back: z.literal(false).optional(),
          /** A dialogue act (a yes, a no) answered only when no question waits: at one, it is an answer. */
          only_outside_questions: z.literal(true).optional(),
          /** Not matched by a sentence with a negation ("tôi không muốn nhận tin" is no wish to subscribe). */
          affirmative_only: z.literal(true).optional(),
        })
        .strict()
        .refine(
          (f) => f.answer !== undefined || f.call !== undefined || f.start !== undefined,
          "an entry needs an answer, a flow to call or a flow to start",
        )
        .refine((f) => !f.amounts || f.call !== undefined || f.start !== undefined, {
          message: "amounts needs a flow (call or start) to read the sentence",
          path: ["amounts"],
        }),
    ),
  })
  .strict();
export type FaqEntry = z.infer<typeof faqFileSchema>["faq"][number];

/** flows/commands.yaml: global commands and the small vocabulary the engine understands. */
export const commandsFileSchema = z
  .object({
    commands: z
      .object({
        menu: z.array(z.string()).min(1),
        cancel: z.array(z.string()).min(1),
        back: z.array(z.string()).min(1),
        stop: z.array(z.string()).min(1),
        lang_vi: z.array(z.string()).min(1),
        lang_en: z.array(z.string()).min(1),
      })
      .strict(),
    yes: z.array(z.string()).min(1),
    no: z.array(z.string()).min(1),
    skip: z.array(z.string()).min(1),
    /** How a sentence declining to answer starts ("thôi, tôi không muốn cho số điện thoại"): skips an optional question. */
    decline: z.array(z.string()).default([]),
    question_words: z.array(z.string()).default([]),
    tentative: z.array(z.string()).default([]),
    but_words: z.array(z.string()).default([]),
    /** Words that turn a sentence around ("đừng", "not"): a choice named in it is not taken as chosen. */
    negations: z.array(z.string()).default([]),
    /** Said before or after a name ("tên tôi là Lan", "Lan nhé"): not part of it. */
    name_lead_ins: z.array(z.string()).default([]),
    name_endings: z.array(z.string()).default([]),
    /** Words no name has ("tôi muốn nhận tin" at the name question is not a name). */
    not_in_names: z.array(z.string()).default([]),
    /** Words said before a choice's number ("số 2", "chọn 2", "option 2"). */
    number_prefixes: z.array(z.string()).default([]),
    /** A choice said by its place ("cái đầu tiên", "the second one"): phrase → number. */
    ordinals: z.record(z.string(), z.number().int().min(1)).default({}),
    /** Messages that only acknowledge ("👍", "🙏"), answered by flows.acknowledge rather than "not understood". */
    acknowledge: z.array(z.string()).default([]),
    /** Common English words: a question written with them (and no Vietnamese letters) is answered in English when nobody chose a language. */
    english_words: z.array(z.string()).default([]),
    abbreviations: z.record(z.string(), z.string()),
    /** The campaign's own name and the like: context in a question, not what it asks, unless it is all there is. */
    context_phrases: z.array(z.string()).default([]),
    /** Words whose diacritics carry the meaning, kept apart when matching questions: written → a token of its own. */
    distinct_words: z
      .record(z.string(), z.string().regex(/^[a-z0-9]+$/, "a token of plain letters and digits"))
      .default({}),
    stop_words: z.array(z.string()),
    flows: z
      .object({
        welcome: flowId,
        menu: flowId,
        cancelled: flowId,
        stop: flowId,
        fallback: flowId,
        unsupported: flowId,
        amount: flowId.optional(),
        reference: flowId.optional(),
        acknowledge: flowId.optional(),
      })
      .strict(),
  })
  .strict();
export type Commands = z.infer<typeof commandsFileSchema>;
