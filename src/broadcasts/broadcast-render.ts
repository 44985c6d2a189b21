import type { Engine } from "../engine/engine.ts";
import { LANGUAGES, type Language } from "../engine/locales.ts";
import type { Reply } from "../engine/reply.ts";
import type { BroadcastCopy, BroadcastInput } from "./broadcast.ts";

/** Copy in one language: the locale key rendered, or the staff text (else the default language's). */
export function copyText(engine: Engine, copy: BroadcastCopy, lang: Language, fallback: Language): string {
  if ("key" in copy) return engine.text(copy.key, lang);
  return copy.text[lang] ?? copy.text[fallback] ?? Object.values(copy.text)[0] ?? "";
}

/** The message one recipient gets, in their language. */
export function renderBroadcast(
  engine: Engine,
  b: BroadcastInput,
  lang: Language,
  fallback: Language,
): Reply {
  const t = (c: BroadcastCopy) => copyText(engine, c, lang, fallback);
  return {
    text: t(b.message),
    buttons: b.buttons.length ? b.buttons.map((x) => ({ label: t(x.label), payload: x.payload })) : undefined,
    links: b.links.length ? b.links.map((x) => ({ label: t(x.label), url: x.url })) : undefined,
  };
}

/** Problems a broadcast would have on the wire: unknown locale keys, text too long for Zalo's 2000. */
export function broadcastProblems(engine: Engine, b: BroadcastInput): string[] {
  const problems: string[] = [];
  const copies = [b.message, ...b.buttons.map((x) => x.label), ...b.links.map((x) => x.label)];
  for (const c of copies)
    if ("key" in c)
      for (const lang of LANGUAGES)
        if (!engine.hasText(c.key, lang)) problems.push(`locale key ${c.key} is missing in ${lang}`);
  if (b.buttons.length + b.links.length > 5)
    problems.push("at most 5 buttons and links together (a Zalo template holds 5)");
  if (problems.length) return problems;
  for (const lang of LANGUAGES) {
    const text = renderBroadcast(engine, b, lang, lang).text;
    if (text.length > 1800)
      problems.push(
        `the ${lang} message is ${text.length} characters; at most 1800 fit one message on every channel`,
      );
  }
  return problems;
}
