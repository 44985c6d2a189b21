import type { Action } from "./action.ts";
import { PAYLOAD_PATTERN, type AskStep, type FaqEntry, type LoadedStep } from "./flow-schema.ts";
import type { FlowBundle } from "./flow-loader.ts";
import { FaqMatcher, type FaqMatch } from "./faq-matcher.ts";
import type { Inbound } from "./inbound.ts";
import { LANGUAGES, isLanguage, type Language } from "./locales.ts";
import { Renderer, resolvePath, type TurnContext } from "./renderer.ts";
import type { Setup } from "./setup.ts";
import type { Reply } from "./reply.ts";
import { newSession, type Frame, type Session } from "./session.ts";
import { plainWords } from "./text-normalize.ts";
import { Understanding, type GlobalCommand } from "./understanding.ts";

/** An engine failure that names where it happened. */
export class EngineError extends Error {
  constructor(where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = "EngineError";
  }
}

export interface EngineOptions {
  bundle: FlowBundle;
  actions: Record<string, Action>;
  now?: () => Date;
  /** What this installation can do (a staff channel), as copy and conditions read it. */
  setup?: Setup;
  /** Reports action failures (logged by the caller without personal data). */
  onActionError?: (where: string, err: unknown) => void;
}

/** From this confidence the classifier's intent is acted on (97.7% right on the held-out test file). */
export const FAQ_CONFIDENCE = 0.5;
/** The intents (nlu/intents) that answer a yes/no question. */
const YES_NO_INTENTS: Readonly<Record<string, "yes" | "no">> = { affirm: "yes", deny: "no" };
/** A name or free-text answer without "?" is taken for a question only from this confidence. */
export const TEXT_QUESTION_CONFIDENCE = 0.7;
/** Between this and FAQ_CONFIDENCE the bot asks back with the two likeliest intents ("Ý bạn là…?"). */
export const ASK_BACK_CONFIDENCE = 0.25;
const MAX_STEPS_PER_TURN = 200;

/**
 * Runs flows: takes a session and one inbound message, changes the session, returns replies.
 * It knows nothing of channels or databases; actions reach the stores.
 */
export class Engine {
  readonly faq: FaqMatcher;
  private readonly understanding: Understanding;
  private readonly now: () => Date;
  private readonly onActionError: (where: string, err: unknown) => void;
  /** The menu's button labels as people type them out ("Nhận tin chiến dịch") → their payloads. */
  private readonly menuLabels = new Map<string, string>();

  private constructor(
    private readonly bundle: FlowBundle,
    private readonly renderer: Renderer,
    private readonly actions: Record<string, Action>,
    options: EngineOptions,
  ) {
    this.faq = new FaqMatcher(bundle.faq, bundle.commands, bundle.nlu.classifier);
    this.understanding = new Understanding(bundle.commands, bundle.campaign);
    this.now = options.now ?? (() => new Date());
    this.onActionError = options.onActionError ?? (() => {});
    for (const step of bundle.flows.get(bundle.commands.flows.menu)?.steps ?? []) {
      if (step.kind !== "say") continue;
      for (const b of step.buttons ?? []) {
        for (const lang of LANGUAGES) {
          const key = plainWords(renderer.text(b.label, lang, {}));
          if (key) this.menuLabels.set(key, b.payload);
        }
      }
    }
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const renderer = await Renderer.create(options.bundle.locales, options.bundle.campaign, {
      now: options.now,
      setup: options.setup,
    });
    return new Engine(options.bundle, renderer, options.actions, options);
  }

  /** A locale string outside any flow (errors, channel menus, staff replies), with campaign facts. */
  text(key: string, lang: Language, values: Record<string, unknown> = {}): string {
    return this.renderer.text(key, lang, { ...this.renderer.baseValues(lang), ...values });
  }

  /** Whether copy has this key in this language (staff-chosen keys are checked before use). */
  hasText(key: string, lang: Language): boolean {
    return this.renderer.has(key, lang);
  }

  /** Picks the first language from the platform's hint: English for "en*", else Vietnamese. */
  static languageFor(locale: string | undefined, fallback: Language): Language {
    if (!locale) return fallback;
    const lang = locale.toLowerCase().slice(0, 2);
    return isLanguage(lang) ? lang : fallback;
  }

  async handle(session: Session, inbound: Inbound): Promise<Reply[]> {
    const out: Reply[] = [];
    const isNew = !session.greeted;
    if (isNew && inbound.locale && !session.langSet)
      session.lang = Engine.languageFor(inbound.locale, session.lang);
    session.greeted = true;
    if (inbound.startCode && this.bundle.campaign.organisations.some((o) => o.code === inbound.startCode))
      session.org = inbound.startCode;

    const frame = this.top(session);
    const waitingStep = frame?.waiting ? this.step(frame) : undefined;
    const asking = waitingStep?.kind === "ask" ? waitingStep : undefined;
    // A button payload typed or relayed as text (Zalo's oa.query.show) counts as a press.
    const payload =
      inbound.payload ??
      (inbound.text && PAYLOAD_PATTERN.test(inbound.text.trim()) ? inbound.text.trim() : undefined);

    if (payload) {
      await this.onPayload(session, inbound, payload, out, isNew);
    } else if (inbound.unsupported) {
      this.call(session, this.bundle.commands.flows.unsupported);
      // What was sent, one word for every platform (Telegram "photo", Zalo "image", "message.image.received"):
      // people send screenshots of their transfer, and the flow can say what to do with one.
      session.vars.unsupported = /photo|image/.test(inbound.unsupported) ? "image" : inbound.unsupported;
    } else if (inbound.contact && asking?.ask === "phone") {
      await this.answer(session, inbound, undefined, out);
    } else if (inbound.text !== undefined && inbound.text.trim() !== "") {
      const command = this.understanding.command(
        inbound.text,
        asking?.ask === "name" || asking?.ask === "text",
      );
      const label = command || asking ? undefined : this.menuLabels.get(plainWords(inbound.text));
      if (command) this.onCommand(session, command, out, isNew);
      else if (asking) await this.answer(session, inbound, undefined, out);
      else if (label)
        await this.onPayload(session, inbound, label, out, isNew); // a menu button's label typed out
      else this.onFreeText(session, inbound.text, out);
    } else {
      this.onCommand(session, "menu", out, isNew);
    }
    await this.run(session, inbound, out);
    if (out.length === 0) {
      // Never silence: a stale button or an empty message gets the menu.
      this.start(session, this.bundle.commands.flows.menu);
      await this.run(session, inbound, out);
    }
    // Nothing waits: a finished flow's answers (its first sentence, a name, a phone) are not kept
    // in the session for its 30 days; the records hold what the person agreed to.
    if (session.stack.length === 0) forgetAnswers(session);
    session.at = this.now().getTime();
    session.turns = (session.turns ?? 0) + 1;
    return out;
  }

  /**
   * A flow rendered outside a conversation, for a message the bot sends on its own (a payment
   * reminder): a throwaway session with the given slots and vars runs the flow to its end, and
   * nothing is saved. The flow may say, branch, call and run actions, but not ask.
   */
  async render(
    flowId: string,
    lang: Language,
    to: { channel: string; userId: string; conversationId: string },
    data: { slots?: Record<string, unknown>; vars?: Record<string, unknown> },
  ): Promise<Reply[]> {
    if (!this.bundle.flows.has(flowId)) throw new EngineError(`render "${flowId}"`, "no such flow");
    const session = newSession(lang, this.now().getTime());
    this.start(session, flowId);
    Object.assign(session.slots, data.slots);
    Object.assign(session.vars, data.vars);
    const out: Reply[] = [];
    await this.run(session, { ...to, messageId: `render:${flowId}` }, out);
    if (this.top(session)?.waiting)
      throw new EngineError(
        `render "${flowId}"`,
        "the flow stopped to ask a question; a message sent on the bot's own cannot wait for an answer",
      );
    return out;
  }

  // ── input ────────────────────────────────────────────────────────────────

  private async onPayload(
    session: Session,
    inbound: Inbound,
    payload: string,
    out: Reply[],
    isNew: boolean,
  ): Promise<void> {
    const [kind, value] = payload.split(":") as [string, string];
    switch (kind) {
      case "v":
        if (this.top(session)?.waiting) await this.answer(session, inbound, value, out);
        else this.reprompt(session);
        return;
      case "cmd":
        // "resume": a client reconnecting (web chat reload) asks for the pending question again.
        if (value === "resume")
          return this.top(session)?.waiting
            ? this.reprompt(session)
            : this.onCommand(session, "menu", out, isNew);
        return this.onCommand(
          session,
          value === "language" ? (session.lang === "vi" ? "lang_en" : "lang_vi") : (value as GlobalCommand),
          out,
          isNew,
        );
      case "lang":
        return this.onCommand(session, value === "en" ? "lang_en" : "lang_vi", out, false);
      case "flow": {
        const [flow, arg] = value.split("@") as [string, string | undefined];
        if (!this.bundle.flows.has(flow)) return this.reprompt(session);
        this.start(session, flow);
        if (arg !== undefined) session.vars.arg = arg;
        return;
      }
      case "faq": {
        const entry = this.faq.get(value);
        if (entry) this.answerFaq(session, entry, out);
        else this.reprompt(session);
        return;
      }
    }
  }

  private onCommand(session: Session, command: GlobalCommand, out: Reply[], isNew: boolean): void {
    const flows = this.bundle.commands.flows;
    switch (command) {
      case "menu":
        return this.start(session, isNew ? flows.welcome : flows.menu);
      case "cancel":
        return this.start(session, flows.cancelled);
      case "stop":
        return this.call(session, flows.stop);
      case "back":
        return this.back(session, out);
      case "lang_vi":
      case "lang_en": {
        session.lang = command === "lang_en" ? "en" : "vi";
        session.langSet = true;
        out.push(this.renderer.say("common.language_changed", this.renderer.context(session)));
        if (this.top(session)?.waiting) this.reprompt(session);
        else this.start(session, flows.menu);
        return;
      }
    }
  }

  /**
   * Text outside a question: a statement of an amount ("500k tiền mặt") starts the amount flow
   * (a pledge); a question, or anything else, gets a FAQ answer; else the fallback (menu and an
   * offer to reach staff). A question with an amount ("nộp 500k ở đâu") is still answered.
   */
  private onFreeText(session: Session, text: string, out: Reply[]): void {
    const flows = this.bundle.commands.flows;
    if (flows.acknowledge && this.understanding.isAcknowledgement(text))
      return this.call(session, flows.acknowledge);
    // A reference code ("VNN-7K3M9Q", "mã vnn-7k3m9q"): that pledge's flow, with the code as its argument.
    const reference = flows.reference ? this.understanding.referenceIn(text) : undefined;
    if (reference) {
      this.start(session, flows.reference!);
      session.vars.arg = reference.toLowerCase();
      return;
    }
    // "Tôi không ủng hộ 500k đâu" states no pledge: a negation keeps the amount from starting one.
    const u = this.understanding;
    const offered = flows.amount !== undefined && u.offeredAmount(text) !== undefined; // "500k được không": yes
    const statesAmount =
      offered ||
      (flows.amount !== undefined &&
        !u.isNegated(text) &&
        (u.amountIn(text) !== undefined || u.statesShorthand(text)));
    const statement = offered || (statesAmount && !u.isQuestion(text));
    const found = this.faq.match(text);
    // A statement of an amount is a pledge, unless it matches an entry that takes amounts ("đổi thành 1 triệu").
    const match = found && (!statement || found.entry.amounts) ? found : null;
    if (match && match.confidence >= FAQ_CONFIDENCE) return this.answerTyped(session, match, text, out);
    // A pledge, an asking back, or "not understood": in the language written ("I live in Hanoi, can I donate?").
    const written = u.writtenIn(text);
    if (written) this.followLanguage(session, written);
    if (statesAmount) {
      this.start(session, flows.amount!);
      session.vars.request = text;
    } else if (match && match.confidence >= ASK_BACK_CONFIDENCE && match.known)
      this.askBack(session, match, out);
    else this.call(session, flows.fallback);
  }

  /**
   * Unsure what was meant: the two likeliest intents as buttons, and "something else" for the
   * generic answer with the offer of staff (Rasa's two-stage fallback).
   */
  private askBack(session: Session, match: FaqMatch, out: Reply[]): void {
    // Small talk or a greeting is answered as such: "Ý bạn là: lời chào?" helps nobody.
    if (match.entry.ask_back === false) return this.answerFaq(session, match.entry, out);
    const ctx = this.renderer.context(session);
    const guesses = [match.entry, ...match.alternatives.map((a) => a.entry)]
      .filter((e) => e.ask_back !== false)
      .slice(0, 2);
    out.push(
      this.renderer.say("common.did_you_mean", ctx, undefined, {
        buttons: this.renderer.buttons(
          [
            ...guesses.map((e) => ({ label: `intents.${e.id}`, payload: `faq:${e.id}` })),
            { label: "common.something_else", payload: `flow:${this.bundle.commands.flows.fallback}` },
          ],
          ctx,
        ),
      }),
    );
  }

  /**
   * Reads an ask step's slot from the sentence that started the flow ("tôi muốn ủng hộ 2 triệu qua
   * trích lương": amount, then method), once per step, so an edit or a goto back asks again:
   * "filled"; the step's reask for an amount it names outside the limits ("… 50 tỷ"); or null
   * when the sentence does not say it.
   */
  private fillFromRequest(
    step: Extract<LoadedStep, { kind: "ask" }>,
    session: Session,
    frame: Frame,
    request: string | undefined,
  ): "filled" | { reask: string; amount?: number; meant?: number } | null {
    // Each sentence is read once per step: a flow that comes back to a question (SMS chosen
    // outside its drive: the method again) must ask it, not read the same words forever.
    const here = `${frame.flow}#${frame.step}`;
    // The answer just given, when it said more ("500k tiền mặt"): for the questions it reaches.
    const said = typeof session.vars.said === "string" ? session.vars.said : undefined;
    let value =
      said !== undefined && firstRead(session, "said_read", here)
        ? this.understanding.slotInSentence(step, said, this.choiceLabels(step, session.lang))
        : undefined;
    if (value === undefined) {
      // The sentence that started the flow.
      if (request === undefined || !firstRead(session, "request_read", here)) return null;
      value = this.understanding.slotInSentence(step, request, this.choiceLabels(step, session.lang));
    }
    if (value === undefined) {
      const refused =
        step.ask === "amount" && request !== undefined
          ? this.understanding.refusedAmountIn(request)
          : undefined;
      const reask = refused && step.reasks?.[refused.reason];
      return reask ? { reask, amount: refused.read, meant: refused.meant } : null;
    }
    session.slots[step.slot] = value;
    session.history.push({ flow: frame.flow, step: frame.step, slot: step.slot });
    frame.step++;
    return "filled";
  }

  /**
   * A typed text matched a FAQ entry. Asked for again while it runs with answers given ("đăng ký ủng
   * hộ" in the middle of a pledge), a flow keeps them and asks on, unless the sentence says something its
   * `from_request` questions read ("… 2 triệu"): then it starts again from that sentence.
   */
  private answerTyped(session: Session, match: FaqMatch, text: string, out: Reply[]): void {
    const entry = match.entry;
    const written = this.understanding.writtenIn(text);
    if (written) this.followLanguage(session, written);
    const running = session.stack[0]?.flow;
    if (
      entry.start &&
      entry.start === running &&
      session.history.some((h) => h.flow === running) &&
      !this.requestFills(running, text, session.lang)
    ) {
      out.push(this.renderer.say("common.continuing", this.renderer.context(session)));
      return this.reprompt(session);
    }
    this.answerFaq(session, entry, out);
    // The sentence that started a flow, for its `from_request` questions ("… 1 triệu"), or that
    // stated an amount to an entry that takes one ("đổi thành 1 triệu").
    if (entry.start || (entry.amounts && this.understanding.amountIn(text) !== undefined))
      session.vars.request = text;
  }

  /** Nobody chose a language (Zalo says none): the bot answers in the one the person wrote in. */
  private followLanguage(session: Session, lang: Language): void {
    if (session.langSet || session.lang === lang) return;
    session.lang = lang;
    this.reprompt(session); // a question waiting is asked again in that language
  }

  /** True when a sentence answers one of a flow's `from_request` questions. */
  private requestFills(flowId: string, text: string, lang: Language): boolean {
    for (const step of this.bundle.flows.get(flowId)?.steps ?? []) {
      if (
        step.kind === "ask" &&
        step.from_request &&
        this.understanding.slotInSentence(step, text, this.choiceLabels(step, lang)) !== undefined
      )
        return true;
    }
    return false;
  }

  /** Answers a FAQ entry; a question in progress is asked again after it (or after its flow). */
  private answerFaq(session: Session, entry: FaqEntry, out: Reply[]): void {
    this.reprompt(session);
    if (entry.answer) {
      const ctx = this.renderer.context(session);
      out.push(
        this.renderer.say(entry.answer, ctx, entry.params, {
          buttons: this.renderer.buttons(entry.buttons, ctx),
          links: this.renderer.links(entry.links, ctx),
        }),
      );
    }
    if (entry.call) this.call(session, entry.call);
    if (entry.start) this.start(session, entry.start);
  }

  /**
   * An answer that did not read, rather than a question: a yes or a no, or an amount ("-500k",
   * "5 tin", "300k" at a yes/no question) said where the bot asked something, which is asked
   * again rather than taken for a wish to pledge or a question about SMS.
   */
  private isAnswerAttempt(step: AskStep, match: FaqMatch, text: string): boolean {
    if (match.entry.only_outside_questions) return true;
    if (step.ask === "amount" && /\d/.test(text)) return true;
    return match.entry.start !== undefined && this.understanding.amountIn(text) !== undefined;
  }

  /**
   * The answer a text means by its intent, when the classifier is sure of it: at a yes/no
   * question "yes" or "no" (affirm, deny), at a choice the choice that declares the intent.
   */
  private meantAnswer(step: AskStep, text: string): string | undefined {
    const match = this.faq.match(text);
    if (!match || match.confidence < FAQ_CONFIDENCE) return undefined;
    if (step.ask === "yesno") return YES_NO_INTENTS[match.entry.id];
    return step.choices?.find((c) => c.intent === match.entry.id)?.value;
  }

  /** Reads the answer to the question the bot is waiting on. */
  private async answer(
    session: Session,
    inbound: Inbound,
    value: string | undefined,
    out: Reply[],
  ): Promise<void> {
    const frame = this.top(session)!;
    const step = this.step(frame);
    if (step?.kind !== "ask") return;
    const text = inbound.text ?? "";
    // "I'd like 1 million instead" with no language chosen: the next questions in English.
    const written = text ? this.understanding.writtenIn(text) : undefined;
    if (written && !session.langSet) session.lang = written;
    const ctx = this.renderer.context(session);

    // "SMS là gì?" while waiting for a name: a question mark makes a confident FAQ match win
    // (unless the step asks for a question: `faq: false`). Free text takes anything, so there
    // question words do too ("tại sao phải cho đơn vị"); a real answer matches no FAQ entry.
    const asks =
      text.includes("?") ||
      (step.ask === "text" && !this.understanding.isSkip(text) && this.understanding.isQuestion(text));
    if (value === undefined && !inbound.contact && asks && step.faq !== false) {
      const match = this.faq.match(text);
      // Without "?", a name or free text is taken as a question only when the classifier is sure:
      // "Công ty Hàng không Việt Nam" and "Nguyễn Thị Hà" are answers, "tại sao cần tên" asks.
      const sure = text.includes("?") ? FAQ_CONFIDENCE : TEXT_QUESTION_CONFIDENCE;
      if (match && match.confidence >= sure && !this.isAnswerAttempt(step, match, text))
        return this.answerTyped(session, match, text, out);
    }
    // An answer that said more was for the questions before this one.
    if (session.vars.said !== undefined) {
      delete session.vars.said;
      delete session.vars.said_read;
    }
    // "Đúng rồi" to "did you mean 500.000 đ?": the amount offered.
    const meant = frame.meant;
    if (meant !== undefined) {
      delete frame.meant; // offered for one answer only
      if (value === undefined && this.understanding.saysYes(text)) value = String(meant);
    }
    const read = (v: string | undefined) =>
      this.understanding.readSlot(
        step,
        inbound,
        v,
        this.choiceLabels(step, session.lang),
        offeredChoices(step, ctx),
      );
    let result = read(value);
    // "Được á", "ừa", "thôi bác không cần đâu": a yes or no the word lists miss, read by the classifier;
    // at a choice, the choice that declares the intent read ("chuẩn luôn" confirms).
    if (!result.ok && value === undefined && text && (step.ask === "yesno" || step.ask === "choice")) {
      const meant = this.meantAnswer(step, text);
      if (meant) result = read(meant);
    }
    if (result.ok) {
      session.slots[step.slot] = result.value;
      // The answer said more ("500k tiền mặt", "sửa số tiền thành 1 triệu"): the questions it
      // reaches before the next answer read it first (from_request, from_answer).
      if (result.sentence) {
        session.vars.said = text;
        session.vars.said_read = [];
      }
      session.history.push({ flow: frame.flow, step: frame.step, slot: step.slot });
      frame.waiting = false;
      frame.attempts = 0;
      frame.step++;
      return;
    }
    if (value === undefined && text && this.correctAmount(session, frame, step, text, out)) return;
    // "Số điện thoại và tên" at "what to edit?" names two choices: an answer to narrow down, no FAQ question.
    const choosing =
      step.ask === "choice" &&
      this.understanding.choicesNamed(step, text, this.choiceLabels(step, session.lang)) > 1;
    if (value === undefined && text && step.faq !== false && !choosing) {
      const match = this.faq.match(text);
      if (match && match.confidence >= FAQ_CONFIDENCE && !this.isAnswerAttempt(step, match, text))
        return this.answerTyped(session, match, text, out);
    }
    // "500" is understood, only unclear ("500.000 đ?"): asking back uses up no attempt.
    if (result.ok || result.reason !== "shorthand") frame.attempts = (frame.attempts ?? 0) + 1;
    if ((frame.attempts ?? 0) >= step.max_attempts) {
      frame.waiting = false;
      frame.attempts = 0;
      if (step.on_fail) frame.step = this.indexOf(frame.flow, step.on_fail);
      else {
        out.push(this.renderer.say("common.too_many_attempts", ctx));
        this.start(session, this.bundle.commands.flows.menu);
      }
      return;
    }
    // A flow without a `shorthand` reask gets its too_small one, and no amount is offered.
    const offer =
      !result.ok && result.reason === "shorthand" && step.reasks?.shorthand ? result.meant : undefined;
    const reason =
      !result.ok && result.reason === "shorthand" && offer === undefined
        ? "too_small"
        : !result.ok
          ? result.reason
          : undefined;
    const specific = (reason ? step.reasks?.[reason] : undefined) ?? this.reaskWhen(step, text);
    if (offer !== undefined) frame.meant = offer;
    out.push(
      this.askReply(
        step,
        session,
        specific ?? step.reask ?? step.prompt,
        specific ? { amount: !result.ok ? result.read : undefined, meant: offer } : undefined,
      ),
    );
  }

  /**
   * "À nhầm, 1 triệu" typed at a later question (up to `corrected.until`) of a flow whose amount
   * question is `corrected:`: the amount is replaced, the copy says so, and the question waiting
   * is asked again. After `until` (the pledge is saved) a new amount is not a correction.
   */
  private correctAmount(
    session: Session,
    frame: Frame,
    step: Extract<LoadedStep, { kind: "ask" }>,
    text: string,
    out: Reply[],
  ): boolean {
    if (step.ask === "amount") return false;
    const target = this.bundle.flows
      .get(frame.flow)
      ?.steps.find((s) => s.kind === "ask" && s.corrected !== undefined && s.slot in session.slots);
    if (
      target?.kind !== "ask" ||
      !target.corrected ||
      frame.step > this.indexOf(frame.flow, target.corrected.until)
    )
      return false;
    const amount = this.understanding.amountIn(text);
    if (amount === undefined) return false;
    session.slots[target.slot] = amount;
    out.push(this.renderer.say(target.corrected.say, this.renderer.context(session)));
    this.reprompt(session);
    return true;
  }

  /** "Back": forget the last answer of the running flow and ask that question again. */
  private back(session: Session, out: Reply[]): void {
    const frame = this.top(session);
    const last = frame ? findLast(session.history, (h) => h.flow === frame.flow) : undefined;
    if (!frame || !last) {
      out.push(this.renderer.say("common.nothing_to_go_back_to", this.renderer.context(session)));
      if (frame) this.reprompt(session);
      else this.start(session, this.bundle.commands.flows.menu);
      return;
    }
    session.history.splice(session.history.lastIndexOf(last), 1);
    delete session.slots[last.slot];
    frame.step = last.step;
    frame.waiting = false;
    frame.attempts = 0;
  }

  // ── running ──────────────────────────────────────────────────────────────

  private async run(session: Session, inbound: Inbound, out: Reply[]): Promise<void> {
    for (let guard = 0; ; guard++) {
      const frame = this.top(session);
      if (!frame) return;
      if (guard > MAX_STEPS_PER_TURN)
        throw new EngineError(
          `flow "${frame.flow}", step #${frame.step + 1}`,
          `more than ${MAX_STEPS_PER_TURN} steps in one turn (a goto loop?)`,
        );
      const step = this.step(frame);
      if (!step) {
        session.stack.pop();
        continue;
      }
      const ctx = this.renderer.context(session);
      switch (step.kind) {
        case "say": {
          const reply = this.sayReply(step, ctx);
          if (reply) out.push(reply);
          frame.step++;
          break;
        }
        case "ask":
          if (step.skip_if_filled && step.slot in session.slots) {
            frame.step++;
            break;
          }
          if (
            (step.from_request || step.from_answer) &&
            !frame.waiting &&
            (typeof session.vars.request === "string" || typeof session.vars.said === "string")
          ) {
            const heard = this.fillFromRequest(
              step,
              session,
              frame,
              step.from_request && typeof session.vars.request === "string"
                ? session.vars.request
                : undefined,
            );
            if (heard === "filled") {
              if (step.heard) out.push(this.renderer.say(step.heard, ctx)); // ctx sees the slot just read
              break;
            }
            if (heard) {
              if (heard.meant !== undefined) frame.meant = heard.meant;
              out.push(
                this.askReply(step, session, heard.reask, { amount: heard.amount, meant: heard.meant }),
              );
              frame.waiting = true;
              return;
            }
          }
          if (!frame.waiting)
            out.push(
              this.askReply(
                step,
                session,
                (typeof session.vars.request === "string" && this.reaskWhen(step, session.vars.request)) ||
                  step.prompt,
              ),
            );
          frame.waiting = true;
          return;
        case "branch": {
          const hit = step.branch.find((b) => holds(b.when, ctx));
          frame.step = hit
            ? this.indexOf(frame.flow, hit.goto)
            : step.else
              ? this.indexOf(frame.flow, step.else)
              : frame.step + 1;
          break;
        }
        case "goto":
          frame.step = this.indexOf(frame.flow, step.goto);
          break;
        case "call":
          frame.step++;
          this.call(session, step.call);
          break;
        case "start": {
          const request = step.with_request ? session.vars.request : undefined;
          this.start(session, step.start);
          if (typeof request === "string") session.vars.request = request;
          break;
        }
        case "action": {
          const params = Object.fromEntries(
            Object.entries(step.with ?? {}).map(([k, v]) => [
              k,
              typeof v === "string" && /^(slots|vars|campaign|session)\./.test(v) ? resolvePath(ctx, v) : v,
            ]),
          );
          try {
            await this.actions[step.action]!({
              session,
              inbound,
              params,
              campaign: this.bundle.campaign,
              now: this.now(),
              userKey: `${inbound.channel}:${inbound.userId}`,
            });
            frame.step++;
          } catch (err) {
            this.onActionError(
              `${this.bundle.flows.get(frame.flow)!.file}: flow "${frame.flow}", step "${step.id}" (action ${step.action})`,
              err,
            );
            if (step.on_error) frame.step = this.indexOf(frame.flow, step.on_error);
            else {
              out.push(this.renderer.say("common.error", ctx));
              this.start(session, this.bundle.commands.flows.menu);
              return;
            }
          }
          break;
        }
        case "clear":
          for (const name of step.clear) {
            const slot = name.includes(".") ? String(resolvePath(ctx, name)) : name;
            delete session.slots[slot];
            session.history = session.history.filter((h) => h.slot !== slot);
          }
          frame.step++;
          break;
        case "set":
          Object.assign(session.slots, step.set);
          frame.step++;
          break;
        case "end":
          session.stack.pop();
          break;
      }
    }
  }

  private sayReply(step: Extract<LoadedStep, { kind: "say" }>, ctx: TurnContext): Reply | null {
    const computed = step.links_from ? resolvePath(ctx, step.links_from) : undefined;
    const links = [
      ...(this.renderer.links(step.links, ctx) ?? []),
      ...(Array.isArray(computed) ? (computed as Reply["links"] & object) : []),
    ];
    const extra: Partial<Reply> = {
      buttons: this.renderer.buttons(step.buttons, ctx),
      links: links.length ? links : undefined,
    };
    if (!step.each) return this.renderer.say(step.say, ctx, step.params, extra);
    const items = resolvePath(ctx, step.each);
    if (!Array.isArray(items) || items.length === 0) return null;
    const text = items
      .map((item) => this.renderer.say(step.say, { ...ctx, item }, step.params).text)
      .join("\n");
    return { text, ...extra };
  }

  /** The choices' labels as the buttons show them, so people can type what a button says. */
  private choiceLabels(step: Extract<LoadedStep, { kind: "ask" }>, lang: Language): string[] {
    return (step.choices ?? []).map((c) => this.renderer.text(c.label, lang, {}));
  }

  /** The step's `reask_when` copy for a sentence naming one of its words, if any. */
  private reaskWhen(step: Extract<LoadedStep, { kind: "ask" }>, text: string): string | undefined {
    if (!step.reask_when || !text) return undefined;
    return step.reask_when.find((r) => this.understanding.mentions(text, r.match))?.say;
  }

  /** A button that answers the question with `value` (payload `v:<value>`). */
  private valueButton(value: string, label: string, lang: Language): { label: string; payload: string } {
    return { label: this.renderer.text(label, lang, {}), payload: `v:${value}` };
  }

  private askReply(
    step: Extract<LoadedStep, { kind: "ask" }>,
    session: Session,
    key: string,
    input?: Record<string, unknown>,
  ): Reply {
    const ctx = input ? { ...this.renderer.context(session), input } : this.renderer.context(session);
    const lang = session.lang;
    const buttons = [
      ...offeredChoices(step, ctx).map((c) => this.valueButton(c.value, c.label, lang)),
      ...(step.ask === "yesno"
        ? [this.valueButton("yes", "common.yes", lang), this.valueButton("no", "common.no", lang)]
        : []),
      ...(step.optional ? [this.valueButton("skip", "common.skip", lang)] : []),
      ...(typeof input?.meant === "number"
        ? [{ label: this.renderer.text("common.amount_meant", lang, { input }), payload: `v:${input.meant}` }]
        : []),
      ...(this.renderer.buttons(step.buttons, ctx) ?? []),
    ];
    const reply = this.renderer.say(key, ctx, step.params, buttons.length ? { buttons } : {});
    if (step.ask === "phone" && step.offer_contact)
      reply.requestContact = { label: this.renderer.text("common.share_phone", session.lang, {}) };
    return reply;
  }

  // ── stack ────────────────────────────────────────────────────────────────

  private top(session: Session): Frame | undefined {
    return session.stack[session.stack.length - 1];
  }

  private step(frame: Frame): LoadedStep | undefined {
    return this.bundle.flows.get(frame.flow)?.steps[frame.step];
  }

  private indexOf(flowId: string, stepId: string): number {
    const step = this.bundle.flows.get(flowId)?.steps.find((s) => s.id === stepId);
    if (!step) throw new EngineError(`flow "${flowId}"`, `unknown step "${stepId}"`);
    return step.index;
  }

  /** Starts a flow afresh: the running flows and their answers are dropped. */
  private start(session: Session, flowId: string): void {
    session.stack = [{ flow: flowId, step: 0 }];
    forgetAnswers(session);
  }

  /** Runs a flow, then returns to the one that was running; with none running, starts it afresh. */
  private call(session: Session, flowId: string): void {
    // Nothing to return to: answers left by a finished flow (vars.arg, vars.pledge) must not leak in.
    if (session.stack.length === 0) return this.start(session, flowId);
    this.reprompt(session);
    session.stack.push({ flow: flowId, step: 0 });
  }

  /** Makes a waiting question ask itself again when the run loop reaches it. */
  private reprompt(session: Session): void {
    const frame = this.top(session);
    if (frame) frame.waiting = false;
  }
}

function holds(
  cond: { path: string; equals?: unknown; in?: unknown[]; set?: boolean; empty?: boolean },
  ctx: TurnContext,
): boolean {
  const value = resolvePath(ctx, cond.path);
  if (cond.equals !== undefined) return value === cond.equals;
  if (cond.in !== undefined) return cond.in.includes(value);
  const isSet = value !== undefined && value !== null && value !== "";
  if (cond.set !== undefined) return isSet === cond.set;
  const empty = !isSet || (Array.isArray(value) && value.length === 0);
  return empty === cond.empty;
}

/** The choices of a question that are offered now (no `when`, or its condition holds). */
function offeredChoices(
  step: Extract<LoadedStep, { kind: "ask" }>,
  ctx: TurnContext,
): NonNullable<Extract<LoadedStep, { kind: "ask" }>["choices"]> {
  const choices = step.choices ?? [];
  return choices.some((c) => c.when) ? choices.filter((c) => !c.when || holds(c.when, ctx)) : choices;
}

function findLast<T>(list: T[], predicate: (x: T) => boolean): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (predicate(list[i]!)) return list[i];
  return undefined;
}

/** Drops the answers of the flows that ran (slots, vars, history); the session itself stays. */
function forgetAnswers(session: Session): void {
  session.slots = {};
  session.vars = {};
  session.history = [];
}

/** True the first time a step (flow#index) reads the sentence the list `key` tracks; notes it. */
function firstRead(session: Session, key: "said_read" | "request_read", here: string): boolean {
  const read = Array.isArray(session.vars[key]) ? (session.vars[key] as string[]) : [];
  if (read.includes(here)) return false;
  session.vars[key] = [...read, here];
  return true;
}
