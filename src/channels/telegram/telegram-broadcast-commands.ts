import { broadcastInput, type BroadcastInput } from "../../broadcasts/broadcast.ts";
import { validated } from "../../http/validated.ts";
import { BroadcastError, type BroadcastService } from "../../broadcasts/broadcast-service.ts";
import type { Engine } from "../../engine/engine.ts";
import type { Language } from "../../engine/locales.ts";

export const BROADCAST_COMMANDS = [
  "bc_new",
  "bc_list",
  "bc",
  "bc_test",
  "bc_start",
  "bc_pause",
  "bc_resume",
  "bc_cancel",
] as const;

/**
 * Staff broadcasts from Telegram:
 *   /bc_new Title            (then, one per line)
 *   vi: text in Vietnamese   en: text in English   key: broadcast.sms_window   (text or a locale key)
 *   button: broadcast.pledge_button flow:pledge   link: broadcast.sms_button https://1400.vn
 *   audience: channel=telegram lang=vi org=LDLD status=unpaid,none
 * then /bc ID (progress), /bc_test ID (to yourself), /bc_start ID [YYYY-MM-DD HH:MM], /bc_pause,
 * /bc_resume, /bc_cancel ID, /bc_list. Replies are staff copy from locales/<lang>/staff.json.
 */
export class TelegramBroadcastCommands {
  constructor(
    private readonly engine: Engine,
    private readonly service: () => BroadcastService | null,
  ) {}

  /** The answer to a /bc… command, or null if the text is not one. */
  async handle(userId: string, text: string, lang: Language): Promise<string | null> {
    const [head = "", ...lines] = text.trim().split("\n");
    const [command = "", ...args] = head.trim().split(/\s+/);
    const name = command.replace(/^\//, "").replace(/@\S+$/, "").toLowerCase();
    if (!(BROADCAST_COMMANDS as readonly string[]).includes(name)) return null;
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.engine.text(`staff.bc.${key}`, lang, values);
    const service = this.service();
    if (!service) return t("not_ready");
    const actor = `telegram:${userId}`;
    const id = args[0] ?? "";
    try {
      switch (name) {
        case "bc_new": {
          const input = parseBroadcast(args.join(" "), lines, lang);
          if (typeof input === "string") return t("new_usage", { problem: input });
          const b = await service.create(input, actor);
          return `${t("created", { id: b.id })}\n\n${await this.preview(service, b.id, actor, lang)}`;
        }
        case "bc_list": {
          const list = await service.list(10);
          if (!list.length) return t("none");
          const rows = await Promise.all(
            list.map(async (b) =>
              t("list_line", {
                ...(await service.report(b.id)),
                id: b.id,
                title: b.title,
                status: t(`status.${b.status}`),
              }),
            ),
          );
          return rows.join("\n");
        }
        case "bc": {
          if (!id) return t("id_usage", { command: "/bc" });
          const b = await service.get(id);
          return t("report", {
            ...(await service.report(id)),
            id,
            title: b.title,
            status: t(`status.${b.status}`),
          });
        }
        case "bc_test":
          if (!id) return t("id_usage", { command: "/bc_test" });
          return t("test_sent", {
            outcome: (await service.testSend(id, { channel: "telegram", userId, lang }, actor)) ?? "-",
          });
        case "bc_start": {
          if (!id) return t("id_usage", { command: "/bc_start" });
          const when = args.slice(1).join(" ");
          const at = when ? vietnamTime(when) : undefined;
          if (at === null) return t("start_usage");
          const b = await service.start(id, actor, at);
          return b.status === "scheduled" ? t("scheduled", { id, at: when }) : t("started", { id });
        }
        case "bc_pause":
        case "bc_resume":
        case "bc_cancel": {
          if (!id) return t("id_usage", { command: `/${name}` });
          const verb = name.slice(3) as "pause" | "resume" | "cancel";
          const b = await service[verb](id, actor);
          return t("changed", { id, status: t(`status.${b.status}`) });
        }
      }
    } catch (err) {
      if (err instanceof BroadcastError) return t("refused", { reason: err.text(this.engine, lang) });
      throw err;
    }
    return null;
  }

  private async preview(
    service: BroadcastService,
    id: string,
    actor: string,
    lang: Language,
  ): Promise<string> {
    const p = await service.preview(id, actor);
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.engine.text(`staff.bc.${key}`, lang, values);
    const messages = Object.entries(p.messages).map(
      ([l, reply]) =>
        `— ${l} —\n${reply!.text}${reply!.buttons?.length ? `\n[${reply!.buttons.map((b) => b.label).join("] [")}]` : ""}`,
    );
    return `${messages.join("\n\n")}\n\n${t("recipients", {
      total: p.recipients.total,
      byLang:
        Object.entries(p.recipients.byLang)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "—",
    })}\n${t("next", { id })}`;
  }
}

/** Reads /bc_new's lines into a broadcast; a string says what is wrong (zod's words in `lang`). */
export function parseBroadcast(
  title: string,
  lines: string[],
  lang: Language = "en",
): BroadcastInput | string {
  const text: Record<string, string> = {};
  let key: string | undefined;
  const buttons: unknown[] = [];
  const links: unknown[] = [];
  const audience: Record<string, string[]> = {};
  const fields: Record<string, string> = {
    channel: "channels",
    lang: "langs",
    org: "organisations",
    status: "pledgeStatus",
  };
  for (const raw of lines) {
    const m = /^\s*([a-z]+)\s*:\s*(.*)$/i.exec(raw);
    if (!m) continue;
    const [, field, value] = m as unknown as [string, string, string];
    const f = field.toLowerCase();
    if (f === "vi" || f === "en") text[f] = value.trim();
    else if (f === "key") key = value.trim();
    else if (f === "button" || f === "link") {
      const [label, target] = value.trim().split(/\s+/, 2);
      (f === "button" ? buttons : links).push(
        f === "button" ? { label: { key: label }, payload: target } : { label: { key: label }, url: target },
      );
    } else if (f === "audience")
      for (const pair of value.trim().split(/\s+/).filter(Boolean)) {
        const [k = "", v = ""] = pair.split("=");
        if (!fields[k]) return `audience: unknown "${k}" (use channel, lang, org, status)`;
        audience[fields[k]] = v.split(",").filter(Boolean);
      }
  }
  const parsed = validated(
    { title: title || undefined, message: key ? { key } : { text }, buttons, links, audience },
    broadcastInput,
    "bc_new",
    lang,
  );
  return parsed.ok ? parsed.data : (parsed.response.body as { error: string }).error;
}

/** "2019-10-21 09:00" in Vietnam time; null if it is not that shape. */
function vietnamTime(text: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(text.trim());
  if (!m) return null;
  const d = new Date(`${m[1]}T${m[2]}:00+07:00`);
  return Number.isNaN(d.getTime()) ? null : d;
}
