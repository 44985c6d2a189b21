import { inForeignCurrency, inWages, isAmountUnit, parseAmount } from "./amount-parser.ts";
import type { Campaign } from "./campaign-schema.ts";
import type { AskStep, Commands, SlotRejection } from "./flow-schema.ts";
import type { Inbound } from "./inbound.ts";
import type { Language } from "./locales.ts";
import { Negations } from "./negations.ts";
import { PhraseSet } from "./phrase-set.ts";
import { parseVietnamesePhone } from "./phone.ts";
import type { SlotValue } from "./session.ts";
import { foldText, isAscii, keepApart, lowerText, lowerWords, plainWords } from "./text-normalize.ts";

/** Longer texts are never read as a statement of an amount (amountIn). */
const MAX_PLEDGE_WORDS = 30;
/** An amount, with the words around it, is said in a few words ("tôi ủng hộ một triệu năm trăm nghìn đồng"). */
const MAX_AMOUNT_WORDS = 10;
/** A phone number among the words of a sentence ("0912345678", "+84912345678"): never an amount. */
const PHONE_LIKE = /^(\+?84|0)\d{8,10}$/;
/** A phone number written inside an answer, with its label ("Lan, sđt: 0912 345 678"). */
const PHONE_IN_ANSWER = /(?:(?:số điện thoại|điện thoại|sđt|sdt|đt|phone|tel)\s*:?\s*)?\+?\d[\d .-]{7,}\d/iu;
/** Figures that may be a phone number written in groups ("0987 654 321"): never part of an amount. */
const GROUPED_FIGURES = /\+?\d[\d .-]{7,}\d/g;

/**
 * "500" for 500.000 đ: a figure in the hundreds said alone is read as thousands only when asked
 * and confirmed. Inside a sentence only from 50 ("tôi muốn ủng hộ 200"; "2 lần" and "1 ngày" are no gift).
 */
const SHORTHAND_IN_SENTENCE_MIN = 50;

/** Longer answers are not searched for a choice's words. */
const MAX_CHOICE_WORDS = 8;
/** Nor for yes or no. */
const MAX_YES_NO_WORDS = 6;

/** Phrases as lists of words (normalised by `norm`), longest first: the longest that fits wins. */
function byLength(list: readonly string[], norm: (w: string) => string): string[][] {
  return list.map((p) => lowerText(p).split(" ").map(norm)).sort((a, b) => b.length - a.length);
}

/** How many words the longest of `leadIns` (longest first) takes from the start of `folded`, leaving at least one. */
function leadInLength(folded: string[], leadIns: string[][]): number {
  return leadIns.find((p) => p.length < folded.length && p.every((w, i) => folded[i] === w))?.length ?? 0;
}

/** The one choice whose label or match word a sentence says as whole words; none when several are. */
function namedChoice(
  choices: NonNullable<AskStep["choices"]>,
  labels: string[],
  sentence: string,
  distinct: ReadonlyMap<string, string>,
): string | undefined {
  const named = choicesIn(choices, labels, sentence, distinct);
  return named.length === 1 ? named[0]!.value : undefined;
}

/** The choices whose label or match word a sentence says as whole words. */
function choicesIn(
  choices: NonNullable<AskStep["choices"]>,
  labels: string[],
  sentence: string,
  distinct: ReadonlyMap<string, string>,
): NonNullable<AskStep["choices"]> {
  const said = phrasesSaid(sentence, distinct);
  return choices.filter((c, i) => [labels[i] ?? "", ...(c.match ?? [])].some(said));
}

/**
 * Whether a sentence says a phrase as whole words, compared folded. "Nhận tin chiến dịch" says no
 * "tin nhắn" (SMS): distinct words stay apart before folding.
 */
function phrasesSaid(sentence: string, distinct: ReadonlyMap<string, string>): (phrase: string) => boolean {
  const words = ` ${plainWords(keepApart(sentence, distinct))} `;
  return (phrase) => {
    const p = plainWords(keepApart(phrase, distinct));
    return p !== "" && words.includes(` ${p} `);
  };
}

/** Letters only Vietnamese uses (with diacritics, and đ). */
const VIETNAMESE_LETTERS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i;

/**
 * An answer read from a turn; a refused one may say why (an amount outside the limits) and what
 * was read. On a refused amount, `read` is what was read and `meant` the amount a shorthand probably meant.
 * `sentence`: the answer was read from a sentence that says more ("500k tiền mặt", "Lan 0912345678"),
 * which the questions it reaches next may read too (`from_request`, `from_answer`).
 */
export type SlotReading =
  | { ok: true; value: SlotValue; sentence?: true }
  | { ok: false; reason?: SlotRejection; read?: number; meant?: number };

export type GlobalCommand = "menu" | "cancel" | "back" | "stop" | "lang_vi" | "lang_en";

/**
 * Recognises global commands and reads typed answers. Words come from flows/commands.yaml.
 * While the bot waits for a name or free text, commands must be typed with their diacritics
 * ("hủy"), so a person named Huy is not taken for "cancel".
 */
export class Understanding {
  private readonly folded: Map<string, GlobalCommand>;
  private readonly exact: Map<string, GlobalCommand>;
  private readonly yes: PhraseSet;
  private readonly no: PhraseSet;
  private readonly skip: PhraseSet;
  private readonly decline: string[];
  private readonly acknowledge: PhraseSet;
  private readonly questionWords: string[];
  private readonly questionWordsAsWritten: string[];
  private readonly negations: Negations;
  private readonly yesWords: string[];
  private readonly nameLeadIns: string[][];
  private readonly nameEndings: string[][];
  private readonly notInNames: Set<string>;
  private readonly numberPrefixes: string[];
  private readonly ordinals: Map<string, number>;
  private readonly referencePattern: RegExp;
  private readonly smsText: RegExp;
  private readonly englishWords: Set<string>;
  private readonly stepYesSets = new WeakMap<AskStep, PhraseSet>();
  private readonly stepLeadInLists = new WeakMap<AskStep, string[][]>();
  /** commands.yaml but_words, lower-case: "được, nhưng …" answers before them. */
  private readonly butWords: string[];
  /** commands.yaml tentative, lower-case words: "500k được không" offers 500k. */
  private readonly tentative: string[];
  /** commands.yaml distinct_words: "nhắn" and "nhận" kept apart when a sentence names a choice. */
  private readonly distinct: ReadonlyMap<string, string>;
  /** Filler words (commands.yaml stop_words), folded: "200 nhé" is still a bare figure. */
  private readonly stopWords: Set<string>;

  constructor(
    commands: Commands,
    private readonly campaign: Campaign,
  ) {
    this.folded = new Map();
    this.exact = new Map();
    for (const [name, list] of Object.entries(commands.commands) as Array<[GlobalCommand, string[]]>) {
      for (const word of list) {
        this.folded.set(foldText(word), name);
        this.exact.set(lowerText(word), name);
      }
    }
    this.yes = new PhraseSet(commands.yes);
    this.no = new PhraseSet(commands.no);
    this.skip = new PhraseSet(commands.skip);
    this.decline = commands.decline.map((d) => `${foldText(d)} `);
    this.acknowledge = new PhraseSet(commands.acknowledge);
    this.questionWords = commands.question_words.map(plainWords).filter(Boolean);
    this.questionWordsAsWritten = commands.question_words.map(lowerWords).filter(Boolean);
    this.negations = new Negations(commands.negations);
    // Longest first: "không sao" is taken out whole before "không" could be read as a no.
    this.yesWords = commands.yes
      .map(lowerWords)
      .filter(Boolean)
      .sort((a, b) => b.length - a.length);
    // As word lists, longest first, so "tên tôi là" goes before "tên".
    this.nameLeadIns = byLength(commands.name_lead_ins, foldText);
    this.nameEndings = byLength(commands.name_endings, (w) => w);
    this.notInNames = new Set(commands.not_in_names.map(lowerWords));
    this.numberPrefixes = commands.number_prefixes.map(plainWords).filter(Boolean);
    this.ordinals = new Map(Object.entries(commands.ordinals).map(([phrase, n]) => [plainWords(phrase), n]));
    this.stopWords = new Set(commands.stop_words.map(foldText));
    this.butWords = commands.but_words.map(lowerWords).filter(Boolean);
    this.tentative = commands.tentative
      .map(lowerWords)
      .filter(Boolean)
      .sort((a, b) => b.length - a.length);
    this.distinct = new Map(Object.entries(commands.distinct_words));
    this.englishWords = new Set(commands.english_words.map((w) => w.toLowerCase()));
    this.smsText = new RegExp(
      `^\\s*${campaign.sms.keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+(\\d{1,3})\\s*$`,
      "i",
    );
    this.referencePattern = new RegExp(
      `(?<![\\p{L}\\d])${campaign.pledge.reference_prefix}-[0-9A-Z]{6}(?![\\p{L}\\d])`,
      "iu",
    );
  }

  command(text: string, awaitingFreeText: boolean): GlobalCommand | null {
    const t = text.trim();
    if (t.startsWith("/")) return this.folded.get(foldText(t.split(/\s/)[0]!)) ?? null;
    if (awaitingFreeText) return this.exact.get(lowerText(t).replace(/[.!]+$/, "")) ?? null;
    return this.folded.get(foldText(t)) ?? null;
  }

  /**
   * The language a text is plainly written in, if it tells: Vietnamese letters ("ủng hộ"), or
   * ASCII with two English words from commands.yaml ("how do I donate"). Vietnamese typed
   * without diacritics tells nothing, even with a word like "to" (tổ) or "do" in it.
   */
  writtenIn(text: string): Language | undefined {
    if (VIETNAMESE_LETTERS.test(text)) return "vi";
    if (!isAscii(text)) return undefined;
    const english = new Set(
      text
        .toLowerCase()
        .split(/[^a-z']+/)
        .filter((w) => this.englishWords.has(w)),
    );
    return english.size >= 2 ? "en" : undefined;
  }

  /** A pledge reference code in a text ("VNN-7K3M9Q", "mã vnn-7k3m9q của tôi"), upper-cased. */
  referenceIn(text: string): string | undefined {
    return this.referencePattern.exec(text)?.[0].toUpperCase();
  }

  /**
   * A question rather than a name: question words count with their diacritics ("Hà" is a name,
   * "hả" asks) and only when the words are not written as a name ("Vũ Văn Sao", "Lê Thị Nào").
   */
  private asksInsteadOfNaming(text: string): boolean {
    if (text.includes("?")) return true;
    const written = text.trim().split(/\s+/);
    if (written.length > 1 && written.every((w) => /^\p{Lu}/u.test(w))) return false;
    const words = ` ${lowerWords(text)} `;
    return this.questionWordsAsWritten.some((q) => words.includes(` ${q} `));
  }

  /** A question, with or without "?" ("… ở đâu", "… được không"): words from commands.yaml. */
  isQuestion(text: string): boolean {
    if (text.includes("?")) return true;
    const words = ` ${plainWords(text)} `;
    return this.questionWords.some((q) => words.includes(` ${q} `));
  }

  /** True when a sentence says one of the phrases as whole words (folded, distinct words kept apart). */
  mentions(sentence: string, phrases: readonly string[]): boolean {
    return phrases.some(phrasesSaid(sentence, this.distinct));
  }

  /** How many of a choice question's choices a sentence names ("số điện thoại và tên": two). */
  choicesNamed(step: AskStep, sentence: string, choiceLabels: string[]): number {
    return choicesIn(step.choices ?? [], choiceLabels, sentence, this.distinct).length;
  }

  /** "VNN 50" (the SMS text, pasted): that many SMS units in đồng, within the drive's 1..max. */
  private smsUnits(text: string): number | undefined {
    const { unit_value, min_units, max_units } = this.campaign.sms;
    const m = this.smsText.exec(text);
    const n = m ? Number(m[1]) : NaN;
    return n >= min_units && n <= max_units ? n * unit_value : undefined;
  }

  /** "2", "số 2", "chọn 2", "cái thứ 2", "option 2": the number of a choice. */
  private choiceNumber(text: string): number | undefined {
    let words = plainWords(text);
    for (let again = true; again;) {
      again = false;
      for (const p of this.numberPrefixes) {
        if (words.startsWith(`${p} `)) {
          words = words.slice(p.length + 1);
          again = true;
        }
      }
    }
    if (/^\d{1,2}$/.test(words)) return Number(words);
    return this.ordinals.get(words);
  }

  /** A text step's `lead_ins`, folded words longest first, built once per step. */
  private stepLeadIns(step: AskStep): string[][] {
    let leads = this.stepLeadInLists.get(step);
    if (!leads) this.stepLeadInLists.set(step, (leads = byLength(step.lead_ins ?? [], foldText)));
    return leads;
  }

  /** A yes/no step's own yes words (`yes`), as a phrase set built once per step. */
  private stepYes(step: AskStep): PhraseSet {
    let set = this.stepYesSets.get(step);
    if (!set) this.stepYesSets.set(step, (set = new PhraseSet(step.yes ?? [])));
    return set;
  }

  /** A yes, as a whole answer or said in a short one ("đúng rồi", "vâng ạ", "yes please"). */
  saysYes(text: string): boolean {
    return this.yes.has(text) || (!this.no.has(text) && this.yesOrNoIn(text) === true);
  }

  /**
   * Yes or no said in a short answer ("có, tôi đồng ý", "vâng ạ", "không, cảm ơn", "tôi không
   * đồng ý", "yes please"): once the yes words are taken out, a negation left is no, else a yes
   * word is yes. Words are compared as written, so "dung" typed bare is neither "đúng" (right) nor
   * "đừng" (don't). Not a question.
   */
  private yesOrNoIn(text: string, stepYes: readonly string[] = []): boolean | undefined {
    if (text.includes("?")) return undefined;
    let words = ` ${lowerWords(text)} `;
    // "Được, nhưng không cho số điện thoại": the answer is what comes before the "but"; the rest
    // is for the questions ahead (each detail can be skipped).
    const but = this.butWords.map((b) => words.indexOf(` ${b} `)).filter((at) => at > 0);
    if (but.length > 0) words = `${words.slice(0, Math.min(...but))} `;
    if (words.trim().split(" ").length > MAX_YES_NO_WORDS) return undefined;
    // Yes words go first, so a yes with a negation in it ("không sao", "why not") stays a yes.
    let yes = false;
    for (const p of stepYes.length
      ? [...this.yesWords, ...stepYes.map(lowerWords)].sort((a, b) => b.length - a.length)
      : this.yesWords) {
      if (!words.includes(` ${p} `)) continue;
      yes = true;
      words = words.replaceAll(` ${p} `, "  ");
    }
    if (this.negations.in(words)) return false;
    return yes ? true : undefined;
  }

  /** The name an answer gives, lead-in and ending dropped ("tên tôi là Lan nhé" is "Lan"), if it is one. */
  private nameIn(text: string): string | undefined {
    const name = this.bareName(text.normalize("NFC").replace(/\s+/g, " "));
    if (
      lowerWords(name)
        .split(" ")
        .some((w) => this.notInNames.has(w))
    )
      return undefined;
    const letters = name.match(/\p{L}/gu)?.length ?? 0;
    return letters >= 2 && name.length <= 80 && /^[\p{L}\p{M} .'-]+$/u.test(name) ? name : undefined;
  }

  /**
   * A name without what was said around it: "tên tôi là Lan", "ten toi la Lan" and "Lan nhé" are
   * "Lan". Lead-ins are compared folded (typed bare too); endings as written, so the "A" of
   * "Nguyễn Văn A" is not the particle "à".
   */
  private bareName(text: string): string {
    let words = text
      .replace(/[.!,;]+$/, "")
      .trim()
      .split(" ");
    words = words.slice(
      leadInLength(
        words.map((w) => foldText(w)),
        this.nameLeadIns,
      ),
    );
    const end = this.nameEndings.find(
      (p) =>
        p.length < words.length && p.every((w, i) => words[words.length - p.length + i]!.toLowerCase() === w),
    );
    if (end) words = words.slice(0, -end.length);
    return words.join(" ").replace(/[,\s]+$/, "");
  }

  /** A few words that neither ask nor deny: safe to read a choice from. */
  private isPlainAnswer(text: string): boolean {
    const words = ` ${lowerWords(text)} `;
    return (
      words.trim().split(" ").length <= MAX_CHOICE_WORDS &&
      !this.isQuestion(text) &&
      !this.negations.in(words)
    );
  }

  /** A sentence turned around by a negation ("tôi không muốn nhận tin"; see Negations). */
  isNegated(text: string): boolean {
    return this.negations.beforeAWord(text);
  }

  /** A message that only acknowledges ("👍", "🙏"). */
  isAcknowledgement(text: string): boolean {
    return this.acknowledge.has(text);
  }

  /** A skip word ("bỏ qua"), or a sentence that declines to answer ("thôi, không muốn cho số"). */
  isSkip(text: string): boolean {
    if (!text.trim()) return false; // a shared contact or a photo carries no words
    const f = foldText(text);
    return this.skip.has(text) || this.decline.some((d) => `${f} `.startsWith(d));
  }

  /**
   * An ask step's slot as said inside a longer sentence ("tôi muốn ủng hộ 2 triệu qua trích
   * lương"), or undefined. A choice: the one choice whose label or match word appears in it as
   * whole words (none when several do). An amount: see amountIn. Other slots: as if typed alone.
   */
  slotInSentence(step: AskStep, sentence: string, choiceLabels: string[]): SlotValue | undefined {
    if (step.ask === "choice") return namedChoice(step.choices ?? [], choiceLabels, sentence, this.distinct);
    if (step.ask === "amount") return this.amountIn(sentence) ?? this.offeredAmount(sentence);
    const result = this.readSlot(
      step,
      { channel: "", messageId: "", conversationId: "", userId: "", text: sentence },
      undefined,
      [],
    );
    return result.ok ? result.value : undefined;
  }

  /**
   * A pledgeable amount stated by a sentence: all of it, or its longest start ("2 triệu | qua
   * trích lương") or end ("đăng ký trích lương | 200k"), if nothing else in it is a number
   * ("… 500 nghìn đến 1 triệu" is a range: not ours to guess).
   */
  amountIn(sentence: string): number | undefined {
    return this.amountSaidIn(sentence, (text) => this.pledgeable(text));
  }

  /**
   * A gift a sentence states that cannot be pledged as said, and why: above the limit ("tôi muốn
   * ủng hộ 50 tỷ"), in another currency ("… $50"), in wages ("… 1 ngày lương"). Not "too small":
   * a bare small figure in a sentence ("1 ngày", "2 lần") is rarely an amount.
   */
  refusedAmountIn(sentence: string): { reason: SlotRejection; read?: number; meant?: number } | undefined {
    if (/\d/.test(sentence) && inForeignCurrency(sentence)) return { reason: "foreign_currency" };
    if (inWages(sentence)) return { reason: "wage" };
    const read = this.amountSaidIn(sentence, (text) => {
      const amount = parseAmount(text);
      return amount !== null && amount > 0 ? amount : undefined;
    });
    if (read === undefined) return undefined;
    if (this.outOfLimits(read) === "too_large") return { reason: "too_large", read };
    const meant =
      read >= SHORTHAND_IN_SENTENCE_MIN && this.endsBareFigure(sentence) ? this.shorthand(read) : undefined;
    return meant !== undefined ? { reason: "shorthand", read, meant } : undefined;
  }

  /**
   * "500k được không ạ?", "100k có được không", "is 200k ok?": an amount offered as a question,
   * the words before the tentative ending (commands.yaml tentative), if they are a pledgeable amount.
   */
  offeredAmount(text: string): number | undefined {
    const said = ` ${lowerWords(text).replace(/( (ạ|nhé|nha|hả|à|vậy))+$/u, "")} `;
    const ending = this.tentative.find((t) => said.endsWith(` ${t} `));
    if (!ending) return undefined;
    const before = said
      .slice(0, said.length - ending.length - 1)
      .trim()
      .replace(/^(is|would|will|can i give)\s+/, "");
    return before ? this.amountIn(before) : undefined;
  }

  /** "500", "200 nhé": a shorthand said alone (with units and fillers only), to start a pledge that asks. */
  statesShorthand(sentence: string): boolean {
    const words = lowerWords(sentence).split(" ");
    const alone = words.every((w) => /^\d+$/.test(w) || this.goesWithAFigure(w));
    return alone && this.refusedAmountIn(sentence)?.reason === "shorthand";
  }

  /** The sentence's figure ends its words, or a unit, a number word or a filler follows: "ủng hộ 200 nhé", "2 trăm", not "50 tuổi". */
  private endsBareFigure(sentence: string): boolean {
    const words = lowerWords(sentence).split(" ");
    const at = words.findIndex((w) => /^\d+$/.test(w));
    const next = words[at + 1];
    return at >= 0 && (next === undefined || this.goesWithAFigure(next));
  }

  /** A unit, a number word or a filler: what may stand beside a bare figure ("200 nhé", "2 trăm"). */
  private goesWithAFigure(word: string): boolean {
    return isAmountUnit(foldText(word)) || parseAmount(word) !== null || this.stopWords.has(foldText(word));
  }

  /** The amount a bare figure below the minimum probably meant: "500" → 500.000 đ, if that can be pledged. */
  private shorthand(amount: number): number | undefined {
    const meant = amount * 1_000;
    return Number.isInteger(amount) &&
      amount < 1_000 &&
      this.outOfLimits(amount) === "too_small" &&
      this.outOfLimits(meant) === undefined
      ? meant
      : undefined;
  }

  private amountSaidIn(sentence: string, amountOf: (text: string) => number | undefined): number | undefined {
    // Words as typed ("1,5 triệu", "1.500.000đ" keep their marks), without a trailing comma or stop,
    // and a phone number in groups ("sđt 0987 654 321") as one word that is no figure.
    const unphoned = sentence.replace(GROUPED_FIGURES, (m) => (parseVietnamesePhone(m) ? " ☎ " : m));
    const words = unphoned
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/[,;:.!?]+$/, ""));
    // A pledge is said in a few words; a long text is not one (and each try reads it again).
    if (words.length > MAX_PLEDGE_WORDS) return undefined;
    const numeric = (w: string) => /\d/.test(w) || parseAmount(w) !== null;
    for (let n = words.length; n > 0 && !(n < words.length && numeric(words[n]!)); n--) {
      const amount = amountOf(words.slice(0, n).join(" "));
      if (amount !== undefined) return amount;
    }
    for (let i = 1; i < words.length && !numeric(words[i - 1]!); i++) {
      const amount = amountOf(words.slice(i).join(" "));
      if (amount !== undefined) return amount;
    }
    // Inside, between details ("tên Lan, sđt 0912345678, ủng hộ 500k tiền mặt"): the words that can
    // be part of an amount (figures, number and unit words, filler) must form one run with a
    // figure in it, phone numbers aside; two runs ("500 nghìn đến 1 triệu") are not ours to pick.
    const runs: Array<[number, number]> = [];
    let from = -1;
    let figure = false;
    for (let i = 0; i <= words.length; i++) {
      const w = words[i];
      // A unit ("triệu"), or what only follows one ("rưỡi": "2 triệu rưỡi" is 2.500.000 đ).
      const part =
        w !== undefined &&
        !PHONE_LIKE.test(w) &&
        (numeric(w) || parseAmount(`1 ${w}`) !== null || parseAmount(`1 triệu ${w}`) !== null);
      if (part) {
        if (from < 0) from = i;
        figure ||= numeric(w);
      } else if (from >= 0) {
        if (figure) runs.push([from, i]);
        from = -1;
        figure = false;
      }
    }
    // "lương em 1 ngày tầm 350k": of several runs, the only one with a unit is the amount.
    const withUnit = runs.filter(([a, b]) =>
      words.slice(a, b).some((w) => /\d\p{L}/u.test(w) || isAmountUnit(foldText(w))),
    );
    const run = runs.length === 1 ? runs[0] : withUnit.length === 1 ? withUnit[0] : undefined;
    if (!run) return undefined;
    const [a, b] = run;
    for (let n = Math.min(b - a, MAX_AMOUNT_WORDS); n > 0; n--) {
      for (let i = a; i + n <= b; i++) {
        const amount = amountOf(words.slice(i, i + n).join(" "));
        if (amount !== undefined) return amount;
      }
    }
    return undefined;
  }

  /** The amount a text is, within the campaign's pledge limits. */
  private pledgeable(text: string): number | undefined {
    const amount = parseAmount(text);
    return amount !== null && this.outOfLimits(amount) === undefined ? amount : undefined;
  }

  /** Why an amount cannot be pledged, if it cannot: below the campaign's minimum or above its maximum. */
  private outOfLimits(amount: number): SlotRejection | undefined {
    const { min_amount, max_amount } = this.campaign.pledge;
    return amount < min_amount ? "too_small" : amount > max_amount ? "too_large" : undefined;
  }

  /**
   * Reads the answer to an ask step. `choiceLabels` are the rendered labels of the choices
   * in the session language, so people can type what the button says. A number picks among the
   * `offered` choices (those shown, numbered on channels without buttons); a label, a match word
   * or a payload may name any choice.
   */
  readSlot(
    step: AskStep,
    inbound: Inbound,
    value: string | undefined,
    choiceLabels: string[],
    offered: NonNullable<AskStep["choices"]> = step.choices ?? [],
  ): SlotReading {
    const text = inbound.text?.trim() ?? "";
    if (step.optional && (value === "skip" || (value === undefined && this.isSkip(text))))
      return { ok: true, value: "" };
    switch (step.ask) {
      case "choice": {
        const choices = step.choices ?? [];
        if (value !== undefined)
          return choices.some((c) => c.value === value) ? { ok: true, value } : { ok: false };
        const f = foldText(text);
        const n = this.choiceNumber(text);
        if (n !== undefined && n >= 1 && n <= offered.length)
          return { ok: true, value: offered[n - 1]!.value };
        const hit = choices.find(
          (c, i) => foldText(choiceLabels[i] ?? "") === f || (c.match ?? []).some((m) => foldText(m) === f),
        );
        if (hit) return { ok: true, value: hit.value };
        // "tiền mặt ạ", "mình chuyển khoản nha", "gạo 10kg": a short answer naming one choice,
        // unless it asks ("chuyển khoản vào đâu") or says no ("không có tiền mặt").
        const named = this.isPlainAnswer(text)
          ? namedChoice(choices, choiceLabels, text, this.distinct)
          : undefined;
        return named !== undefined ? { ok: true, value: named, sentence: true } : { ok: false };
      }
      case "yesno": {
        if (value === "yes" || value === "no") return { ok: true, value: value === "yes" };
        if (this.yes.has(text) || (step.yes !== undefined && this.stepYes(step).has(text)))
          return { ok: true, value: true };
        if (this.no.has(text)) return { ok: true, value: false };
        const said = this.yesOrNoIn(text, step.yes);
        return said === undefined ? { ok: false } : { ok: true, value: said };
      }
      case "amount": {
        // A button's value: the amount a shorthand meant ("500" → "500.000 đ?"), pressed.
        if (value !== undefined)
          return /^\d+$/.test(value) && this.outOfLimits(Number(value)) === undefined
            ? { ok: true, value: Number(value) }
            : { ok: false };
        const amount = this.smsUnits(text) ?? parseAmount(text);
        // "500k tiền mặt", "ủng hộ 500k chuyển khoản nhé": the amount, and the rest for the method question.
        if (amount === null && !this.isQuestion(text) && !this.isNegated(text)) {
          const said = this.amountIn(text);
          if (said !== undefined) return { ok: true, value: said, sentence: true };
        }
        // "500k được không ạ": offered, not asked about.
        const offered = amount === null ? this.offeredAmount(text) : undefined;
        if (offered !== undefined) return { ok: true, value: offered };
        if (amount === null && inForeignCurrency(text)) return { ok: false, reason: "foreign_currency" };
        if (amount === null && inWages(text)) return { ok: false, reason: "wage" };
        if (amount === null || amount <= 0) return { ok: false };
        const reason = this.outOfLimits(amount);
        // "500" or "2 trăm" alone: people say hundreds and mean thousands; asked, never assumed.
        const meant = this.shorthand(amount);
        if (meant !== undefined) return { ok: false, reason: "shorthand", read: amount, meant };
        return reason ? { ok: false, reason, read: amount } : { ok: true, value: amount };
      }
      case "phone": {
        // The number written in the answer first: "500k tiền mặt, sđt 0912345678" has other figures.
        const written = PHONE_IN_ANSWER.exec(text)?.[0];
        const phone = inbound.contact
          ? parseVietnamesePhone(inbound.contact.phone)
          : value === undefined
            ? (written && parseVietnamesePhone(written)) || parseVietnamesePhone(text)
            : null;
        return phone ? { ok: true, value: phone } : { ok: false };
      }
      case "name": {
        // "số tài khoản là gì", "tại sao cần tên": a question is no name (it may be a FAQ).
        if (value !== undefined || this.asksInsteadOfNaming(text)) return { ok: false };
        // "Lan 0912345678": the name, and the phone for the phone question (from_request).
        const phone = PHONE_IN_ANSWER.exec(text);
        if (phone && parseVietnamesePhone(phone[0])) {
          const name = this.nameIn(
            `${text.slice(0, phone.index)} ${text.slice(phone.index + phone[0].length)}`.replace(
              /^[\s,;:-]+|[\s,;:-]+$/g,
              "",
            ),
          );
          return name === undefined ? { ok: false } : { ok: true, value: name, sentence: true };
        }
        const name = this.nameIn(text);
        return name === undefined ? { ok: false } : { ok: true, value: name };
      }
      case "text": {
        if (value !== undefined || text.length < 1 || text.length > 200) return { ok: false };
        // "tôi làm ở Bệnh viện Đa khoa" at "which organisation?": the organisation (the step's lead_ins).
        const words = text.trim().replace(/\s+/g, " ").split(" ");
        const lead = step.lead_ins
          ? leadInLength(
              words.map((w) => foldText(w)),
              this.stepLeadIns(step),
            )
          : 0;
        return { ok: true, value: words.slice(lead).join(" ") };
      }
    }
  }
}
