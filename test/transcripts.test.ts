import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { z } from "zod";
import type { Inbound } from "../src/engine/inbound.ts";
import type { Reply } from "../src/engine/reply.ts";
import { testApp } from "./support/test-app.ts";

/**
 * Runs every conversation script in test/transcripts/. Each turn says what the user sends
 * (user text, a pressed button, a shared contact, a photo) and what the bot's answer must
 * contain (`expect`, `buttons`, `links`) or not (`not`, `not_buttons`); `pledges` checks what
 * was stored; `restart` rebuilds the bot on the same DATA_DIR. A script may pin the day
 * (`today`, Vietnam time), set configuration (`env`: a staff channel) and change campaign data as
 * staff would (`campaign`: merged into flows/campaign.yaml, e.g. a published bank account).
 */
const list = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]));
const turnSchema = z
  .object({
    user: z.string().optional(),
    press: z.string().optional(),
    contact: z.string().optional(),
    photo: z.literal(true).optional(),
    start: z.string().optional(),
    restart: z.literal(true).optional(),
    as: z.string().optional(),
    expect: list.optional(),
    not: list.optional(),
    buttons: list.optional(),
    not_buttons: list.optional(),
    links: list.optional(),
    contact_button: z.boolean().optional(),
    pledges: z.array(z.record(z.string(), z.unknown())).optional(),
    subscribed: z.boolean().nullable().optional(),
    consents: z.number().optional(),
  })
  .strict();
const scriptSchema = z
  .object({
    name: z.string(),
    today: z.string().optional(),
    locale: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    campaign: z.record(z.string(), z.unknown()).optional(),
    turns: z.array(turnSchema).min(1),
  })
  .strict();

const dir = join(import.meta.dirname, "transcripts");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe("conversation transcripts", () => {
  for (const file of files) {
    const script = scriptSchema.parse(parse(readFileSync(join(dir, file), "utf8")));
    it(`${file}: ${script.name}`, async () => {
      const env = { ...script.env, ...(script.campaign ? { FLOWS_DIR: flowsWith(script.campaign) } : {}) };
      let app = await testApp({ today: script.today, env });
      const dataDir = app.config.DATA_DIR;
      let n = 0;
      for (const [i, turn] of script.turns.entries()) {
        const where = `${file} turn ${i + 1} (${turn.user ?? turn.press ?? turn.contact ?? (turn.photo ? "photo" : turn.restart ? "restart" : "start")})`;
        if (turn.restart) {
          await app.close();
          app = await testApp({ dataDir, today: script.today, env });
          continue;
        }
        const user = turn.as ?? "u1";
        const inbound: Inbound = {
          channel: "test",
          messageId: String(++n),
          conversationId: user,
          userId: user,
          locale: script.locale,
          text: turn.user ?? (turn.start !== undefined ? "/start" : undefined),
          payload: turn.press,
          contact: turn.contact ? { phone: turn.contact } : undefined,
          unsupported: turn.photo ? "photo" : undefined,
          startCode: turn.start || undefined,
        };
        const { replies } = await app.turns.process(inbound);
        const text = replies.map((r) => r.text).join("\n---\n");
        const shown = `\n${where}; the bot said:\n${text}\nbuttons: ${allButtons(replies).join(" | ")}`;
        for (const e of turn.expect ?? [])
          expect(text.toLowerCase(), `expected "${e}"${shown}`).toContain(e.toLowerCase());
        for (const e of turn.not ?? [])
          expect(text.toLowerCase(), `did not expect "${e}"${shown}`).not.toContain(e.toLowerCase());
        for (const b of turn.buttons ?? [])
          expect(
            allButtons(replies).some((x) => x.includes(b)),
            `expected button "${b}"${shown}`,
          ).toBe(true);
        for (const b of turn.not_buttons ?? [])
          expect(
            allButtons(replies).some((x) => x.includes(b)),
            `did not expect button "${b}"${shown}`,
          ).toBe(false);
        for (const l of turn.links ?? [])
          expect(
            replies.flatMap((r) => r.links ?? []).some((x) => x.url.startsWith(l)),
            `expected link "${l}"${shown}`,
          ).toBe(true);
        if (turn.contact_button !== undefined)
          expect(
            replies.some((r) => r.requestContact),
            `contact button${shown}`,
          ).toBe(turn.contact_button);
        if (turn.pledges) {
          const stored = await app.records.pledges.listByUser(`test:${user}`);
          expect(stored.length, `pledge count at ${where}`).toBe(turn.pledges.length);
          turn.pledges.forEach((want, k) => {
            for (const [field, value] of Object.entries(want))
              expect(
                (stored[k] as unknown as Record<string, unknown>)[field],
                `pledge ${k + 1}.${field} at ${where}`,
              ).toEqual(value ?? undefined);
          });
        }
        if (turn.subscribed !== undefined) {
          const sub = await app.records.subscribers.get("test", user);
          expect(sub === null ? null : sub.optedIn, `subscription at ${where}`).toBe(turn.subscribed);
        }
        if (turn.consents !== undefined) {
          const open = (await app.records.consents.listByUser(`test:${user}`)).filter((c) => !c.withdrawnAt);
          expect(open.length, `open consents at ${where}`).toBe(turn.consents);
        }
      }
      await app.close();
    });
  }
});

function allButtons(replies: Reply[]): string[] {
  return replies.flatMap((r) => (r.buttons ?? []).map((b) => `${b.label} [${b.payload}]`));
}

/** A copy of flows/ whose campaign data has `changes` merged in, as staff would edit it. */
function flowsWith(changes: Record<string, unknown>): string {
  const dir = join(mkdtempSync(join(tmpdir(), "chungtay-campaign-")), "flows");
  cpSync(join(import.meta.dirname, "..", "flows"), dir, { recursive: true });
  const file = join(dir, "campaign.yaml");
  writeFileSync(file, stringify(merge(parse(readFileSync(file, "utf8")), changes)));
  return dir;
}

function merge(base: unknown, changes: unknown): unknown {
  if (!isObject(base) || !isObject(changes)) return changes;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(changes)) out[k] = merge(out[k], v);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
