import { foldText } from "./text-normalize.ts";

/**
 * Parses a donation amount written the way people write it in a chat, in VND:
 * "500k", "500 nghìn", "1tr", "1,5 triệu", "1.500.000đ", "2 triệu rưỡi", "1tr2",
 * "hai trăm nghìn", "1 million". Returns null for anything it cannot read with certainty.
 */
export function parseAmount(input: string): number | null {
  if (/-\s*\d/.test(input)) return null; // a negative amount is never a pledge
  if (inForeignCurrency(input)) return null; // "$50" is not 50 đ
  const tokens = tokenize(foldText(input));
  if (tokens === null || tokens.length === 0) return null;
  const value = evaluate(tokens);
  if (value === null || !Number.isFinite(value)) return null;
  return Math.round(value);
}

// A currency sign anywhere; a currency name next to a figure ("100 đô", "1 triệu yên", "USD 50"),
// so "đô thị" (a city) or "do" (because) never counts. The figure is bounded ({0,24}): unbounded,
// "1.1.1.…" made the regex try every start to the end (a 4,096-character message took 0.4 s).
const CURRENCY_NAME = "(?:usd|eur|euros?|dollars?|đô(?: ?la)?|yen|yên|won|baht|bảng anh|nhân dân tệ)";
const FOREIGN_CURRENCY = new RegExp(
  `[$€£¥₩]|\\d[\\d.,]{0,24}\\s*(?:(?:k|nghìn|ngàn|triệu|tr|tỷ|m|million|millions|thousand|billion)\\s*)?${CURRENCY_NAME}(?!\\p{L})|(?<!\\p{L})${CURRENCY_NAME}\\s*\\d`,
  "iu",
);

const WAGES =
  /(ngày|ngay|tháng|thang|buổi|buoi)\s*(lương|luong|công|cong)\b|\b(day|month|week)'?s?\s+(of\s+)?(salary|pay|wages?)\b/iu;

/** True when a gift is said in wages ("1 ngày lương", "one day's salary"): a common way to give, but not an amount. */
export function inWages(input: string): boolean {
  return WAGES.test(input.normalize("NFC"));
}

/**
 * True when an amount is given in another currency ("$50", "100 dollars", "100 đô", "20 euro"):
 * read before folding, where "$" is gone and "đô" (dollar) is "do" (because).
 */
export function inForeignCurrency(input: string): boolean {
  return FOREIGN_CURRENCY.test(input.normalize("NFC"));
}

type Token =
  | { kind: "num"; value: number; digits: number }
  | { kind: "digit"; value: number }
  | { kind: "tens" }
  | { kind: "hundred" }
  | { kind: "big"; value: number }
  | { kind: "half" }
  | { kind: "zero-link" };

const DIGIT_WORDS: Record<string, number> = {
  khong: 0,
  mot: 1,
  hai: 2,
  ba: 3,
  bon: 4,
  tu: 4,
  nam: 5,
  lam: 5,
  sau: 6,
  bay: 7,
  tam: 8,
  chin: 9,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9, // not "ten": folded, "tên" (name) is "ten" too
};
const BIG_WORDS: Record<string, number> = {
  k: 1e3,
  nghin: 1e3,
  ngan: 1e3,
  thousand: 1e3,
  grand: 1e3,
  tr: 1e6,
  trieu: 1e6,
  m: 1e6,
  mil: 1e6,
  million: 1e6,
  millions: 1e6,
  cu: 1e6,
  ty: 1e9,
  ti: 1e9,
  b: 1e9,
  billion: 1e9,
};
const CURRENCY_WORDS = ["d", "dong", "vnd"];

/** A folded word that names an amount's unit or currency ("tỷ", "triệu", "k", "đồng"). */
export function isAmountUnit(folded: string): boolean {
  return folded in BIG_WORDS || CURRENCY_WORDS.includes(folded);
}

/** Words that carry no amount: currency names and the filler people put around a number. */
const FILLER = new Set([
  ...CURRENCY_WORDS,
  "vnđ",
  "vn",
  "toi",
  "minh",
  "em",
  "anh",
  "chi",
  "ung",
  "ho",
  "khoang",
  "chung",
  "xin",
  "gop",
  "la",
  "se",
  "muon",
  "i",
  "will",
  "give",
  "donate",
  "about",
  "around",
  "pledge",
  "of",
  "va",
  "and",
  "a",
  "an",
  // "đăng ký ủng hộ 200 nghìn nhé", "I want to give 2 million" (a pledge asked for in one sentence)
  "dang",
  "ky",
  "nhe",
  "nha",
  "want",
  "like",
  "would",
  "to",
  "quyen", // "tôi muốn quyên góp 1 triệu"
  "ll", // "I'll give 500k"
  "thoi",
  "nhen",
  "luon",
  "nhi", // "50k thôi", "500k luôn"
]);

/**
 * "100 000", "1 500 000": groups of three digits after spaces are thousands, as on a cheque, when
 * the last is 000 (amounts end so; "500 200" is two figures, and read as none).
 */
const SPACED_THOUSANDS = /(?<![\d.,])(\d{1,3})((?: \d{3})* 000)(?![\d.,])/g;

function tokenize(folded: string): Token[] | null {
  // Split glued forms like "500k", "1tr2", "1.5m", "2tr5".
  const parts =
    folded
      .replace(SPACED_THOUSANDS, (_, head: string, rest: string) => head + rest.replaceAll(" ", ""))
      .match(/\d[\d.,]*|[a-z]+|\S/g) ?? [];
  const tokens: Token[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (/^\d/.test(part)) {
      const next = parts[i + 1];
      const num = parseNumeral(part, next !== undefined && next in BIG_WORDS);
      if (num === null) return null;
      tokens.push(num);
    } else if (part === "muoi" || part === "chuc") {
      // "chục" is "ten" too: "chục nghìn" = 10.000, "5 chục nghìn" = 50.000.
      tokens.push({ kind: "tens" });
    } else if (part === "nua") {
      // "nửa triệu" = half a million; otherwise it is "nữa" (more), said around an amount.
      if (i + 1 < parts.length && parts[i + 1]! in BIG_WORDS)
        tokens.push({ kind: "num", value: 0.5, digits: 0 });
    } else if (
      part === "half" &&
      (parts[i + 1] === "a" || parts[i + 1] === "an") &&
      parts[i + 2]! in BIG_WORDS
    ) {
      tokens.push({ kind: "num", value: 0.5, digits: 0 }); // "half a million"
      i++;
    } else if ((part === "a" || part === "an") && i + 1 < parts.length && parts[i + 1]! in BIG_WORDS) {
      tokens.push({ kind: "num", value: 1, digits: 0 }); // "a million"
    } else if (part === "tram" || part === "hundred") {
      tokens.push({ kind: "hundred" });
    } else if (part in BIG_WORDS) {
      tokens.push({ kind: "big", value: BIG_WORDS[part]! });
    } else if (part === "ruoi" || part === "half") {
      tokens.push({ kind: "half" });
    } else if (part === "linh" || part === "le") {
      tokens.push({ kind: "zero-link" });
    } else if (part in DIGIT_WORDS) {
      // "tam" is both "eight" and "about" (tạm); as a filler it is only allowed before a number.
      if (
        part === "tam" &&
        i + 1 < parts.length &&
        !(parts[i + 1]! in BIG_WORDS) &&
        parts[i + 1] !== "tram" &&
        parts[i + 1] !== "muoi"
      )
        continue;
      tokens.push({ kind: "digit", value: DIGIT_WORDS[part]! });
    } else if (FILLER.has(part)) {
      continue;
    } else {
      return null;
    }
  }
  return tokens;
}

/**
 * Reads "1.500.000", "1,500,000", "1,5", "1.5", "500". Dots or commas before groups of three
 * digits separate thousands ("1.500" = 1500), except a single group followed by a unit word,
 * which is a decimal ("1,5 triệu", "1.500 tr" is not something people write).
 */
function parseNumeral(raw: string, unitFollows: boolean): Token | null {
  const text = raw.replace(/[.,]+$/, "");
  if (/^0\d/.test(text)) return null; // "0912345678" is a phone number, never 912 million đ
  if (/^\d+$/.test(text)) return { kind: "num", value: Number(text), digits: text.length };
  const groups = text.split(/[.,]/);
  const grouped = /^\d{1,3}([.,]\d{3})+$/.test(text) && (groups.length > 2 || !unitFollows);
  if (grouped) return { kind: "num", value: Number(groups.join("")), digits: 0 };
  const decimal = /^(\d+)[.,](\d+)$/.exec(text);
  if (decimal) return { kind: "num", value: Number(`${decimal[1]}.${decimal[2]}`), digits: 0 };
  return null;
}

/** Evaluates tokens left to right with Vietnamese number grammar (trăm, mươi, lẻ, rưỡi). */
function evaluate(tokens: Token[]): number | null {
  let total = 0;
  let current: number | null = null;
  let lastBig: number | null = null; // the big unit just applied, for "1tr2" and "rưỡi"
  let open = false; // after trăm, mươi or lẻ a smaller figure may follow
  let sawNumber = false;

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "num" || t.kind === "digit") {
      sawNumber = true;
      const rest = tokens.slice(i + 1);
      if (lastBig !== null && current === null && !rest.some((x) => x.kind !== "half")) {
        if (rest.length > 0) return null;
        // "1tr2" = 1.2 million, "1 triệu 250" = 1.25 million: a trailing figure is a fraction of the last unit.
        const digits = t.kind === "num" && t.digits > 0 ? t.digits : 1;
        total += (t.value * lastBig) / 10 ** digits;
        lastBig = null;
        continue;
      }
      if (current !== null && !open) return null;
      current = (current ?? 0) + t.value;
      open = false;
    } else if (t.kind === "tens") {
      // "mười" = 10, "hai mươi" = 20, "trăm mười" = 110.
      sawNumber = true;
      if (current === null || open) current = (current ?? 0) + 10;
      else current = current - (current % 100) + (current % 100) * 10;
      open = true;
    } else if (t.kind === "hundred") {
      sawNumber = true;
      current = (current ?? 1) * 100;
      open = true;
    } else if (t.kind === "zero-link") {
      if (current === null) return null;
      open = true;
    } else if (t.kind === "big") {
      if (current === null) return null;
      total += current * t.value;
      lastBig = t.value;
      current = null;
      open = false;
    } else {
      // rưỡi: half of the unit just named ("2 triệu rưỡi", "hai trăm rưỡi").
      if (lastBig !== null && current === null) total += lastBig / 2;
      else if (current !== null && current % 100 === 0 && current > 0) current += 50;
      else return null;
      lastBig = null;
    }
  }
  if (!sawNumber) return null;
  return total + (current ?? 0);
}
