import type { Language } from "./locales.ts";

export type SlotValue = string | number | boolean | null;

/** A running flow: where it is and whether it waits for an answer. */
export interface Frame {
  flow: string;
  step: number;
  waiting?: boolean;
  attempts?: number;
  /** The amount a shorthand answer probably meant ("500": 500.000 đ), offered at the reask; a yes takes it. */
  meant?: number;
}

/**
 * Everything the bot remembers about a conversation between turns. Kept compact (short keys
 * avoided only where it would hurt reading) because it is stored as JSON on every turn.
 */
export interface Session {
  v: 1;
  lang: Language;
  /** True once the user or the platform chose the language. */
  langSet?: boolean;
  stack: Frame[];
  slots: Record<string, SlotValue>;
  /** Results of actions (reference code, SMS plan, pledge list) for the steps that follow. */
  vars: Record<string, unknown>;
  /** Answered questions of the running flows, newest last, for "back". */
  history: Array<{ flow: string; step: number; slot: string }>;
  /** Set once the welcome was shown, so "hello" later opens the menu instead. */
  greeted?: boolean;
  /** Organisation code from a deep link. */
  org?: string;
  /** When the conversation last changed (ms), for idle expiry. */
  at: number;
  /** Turns handled in this conversation. */
  turns?: number;
  /** When the person last had their data deleted ("forget me"; ms), so clients drop their copy. */
  forgotAt?: number;
}

export function newSession(lang: Language, now: number): Session {
  return { v: 1, lang, stack: [], slots: {}, vars: {}, history: [], at: now };
}
