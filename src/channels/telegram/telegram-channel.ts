import { Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import type { App } from "../../app.ts";
import type { ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import { Engine } from "../../engine/engine.ts";
import type { HttpServer } from "../../http/http-server.ts";
import { SharedSecret } from "../../http/shared-secret.ts";
import { errorInfo } from "../../log/error-info.ts";
import { mapTelegramUpdate } from "./telegram-update.ts";
import { renderForTelegram } from "./telegram-render.ts";
import { TelegramSender } from "./telegram-sender.ts";
import { BotApiClient } from "./bot-api-client.ts";
import { BROADCAST_COMMANDS } from "./telegram-broadcast-commands.ts";
import { TelegramStaffCommands, handoffCode } from "./telegram-staff.ts";
import type { HandoffRequest } from "../../records/ports.ts";
import { answerHandoff } from "../../staff/answer-handoff.ts";
import { vietnamClock, vietnamDate } from "../../time/vietnam-time.ts";

export const TELEGRAM_WEBHOOK_PATH = "/webhooks/telegram";
/** Telegram reads only the status of a webhook answer (unless its body names a Bot API method): an empty 200 costs least. */
const WEBHOOK_ACK = { status: 200 } as const;
/** Only the updates the bot uses; others are still handled safely if they arrive. */
export const ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"] as const;
const PUBLIC_COMMANDS = ["start", "menu", "cancel", "back", "en", "vi", "stop"] as const;

/**
 * Telegram through telegraf 4: updates (webhook or long polling) become turns of the shared
 * engine; replies go out as sendMessage calls with inline keyboards. telegraf's own session is
 * not used: sessions, dedupe and ordering live in the conversation store.
 */
export class TelegramChannel {
  readonly bot: Telegraf;
  private readonly sender: TelegramSender;
  private readonly staff: TelegramStaffCommands;
  private readonly secret: SharedSecret | null;

  constructor(private readonly app: App) {
    const c = app.config;
    if (!c.TELEGRAM_BOT_TOKEN) throw new Error("telegram channel: TELEGRAM_BOT_TOKEN is not set");
    this.bot = new Telegraf(c.TELEGRAM_BOT_TOKEN, {
      telegram: { apiRoot: c.TELEGRAM_API_ROOT, webhookReply: false },
    });
    // Without this, a handler error becomes an unhandled rejection (FIELD-NOTES).
    this.bot.catch((err) => app.log.error({ err: errorInfo(err) }, "telegram: update handler failed"));
    this.bot.use((ctx) => this.onUpdate(ctx.update));
    this.sender = new TelegramSender(
      new BotApiClient(c.TELEGRAM_API_ROOT, c.TELEGRAM_BOT_TOKEN),
      app.records.subscribers,
      app.log,
    );
    this.staff = new TelegramStaffCommands(
      new Set(c.TELEGRAM_STAFF_IDS),
      app.records,
      app.engine,
      app.now,
      () => app.broadcasts,
      (handoff, text, actor) => answerHandoff(app, handoff, text, actor),
    );
    this.secret = c.TELEGRAM_WEBHOOK_SECRET ? new SharedSecret(c.TELEGRAM_WEBHOOK_SECRET) : null;
  }

  /** Mounts the webhook route and, per config, registers the webhook or starts polling. */
  async start(http: HttpServer): Promise<void> {
    const c = this.app.config;
    if (c.TELEGRAM_MODE === "webhook") {
      http.route("POST", TELEGRAM_WEBHOOK_PATH, async (req) => {
        if (!this.secret?.matches(req.headers["x-telegram-bot-api-secret-token"]))
          return { status: 401, body: { error: "wrong or missing secret token" } };
        let update: unknown;
        try {
          update = JSON.parse(req.rawBody.toString("utf8"));
        } catch {
          update = null;
        }
        if (!update || typeof update !== "object" || typeof (update as Update).update_id !== "number") {
          // Acknowledge, or Telegram would redeliver it forever.
          this.app.log.warn(
            { bytes: req.rawBody.length },
            "telegram: malformed update acknowledged and dropped",
          );
          return WEBHOOK_ACK;
        }
        await this.handleUpdate(update as Update);
        return WEBHOOK_ACK;
      });
    }
    if (c.TELEGRAM_STAFF_IDS.length)
      this.app.staffAlerts.subscribe({
        handoff: (request) => this.alertStaff(request),
        digest: () => this.digestToStaff(),
      });
    await this.identify();
    if (c.TELEGRAM_MODE === "webhook" && c.TELEGRAM_PUBLIC_URL) {
      await this.bot.telegram.setWebhook(
        `${c.TELEGRAM_PUBLIC_URL.replace(/\/$/, "")}${TELEGRAM_WEBHOOK_PATH}`,
        { secret_token: c.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...ALLOWED_UPDATES] },
      );
      this.app.log.info("telegram: webhook registered");
    }
    await this.registerCommands();
    if (c.TELEGRAM_MODE === "polling") {
      await this.bot.telegram.deleteWebhook();
      void this.bot
        .launch({ allowedUpdates: [...ALLOWED_UPDATES] })
        .catch((err: unknown) => this.app.log.error({ err: errorInfo(err) }, "telegram: polling stopped"));
      this.app.log.info("telegram: long polling started");
    }
  }

  /** Proactive messages (broadcasts, reminders) through the same Bot API client. */
  proactive(): ProactiveSender {
    return this.sender.proactive();
  }

  stop(): void {
    try {
      this.bot.stop("shutdown");
    } catch {
      // not polling
    }
  }

  /** One update, end to end; never throws (errors are logged). */
  async handleUpdate(update: Update): Promise<void> {
    try {
      await this.bot.handleUpdate(update);
    } catch (err) {
      this.app.log.error({ err: errorInfo(err), updateId: update.update_id }, "telegram: update failed");
    }
  }

  private async onUpdate(update: Update): Promise<void> {
    const event = mapTelegramUpdate(update, {
      id: this.bot.botInfo?.id ?? 0,
      username: this.bot.botInfo?.username ?? "",
    });
    // Answer every callback query at once, or the client's spinner hangs.
    if ("callbackQueryId" in event && event.callbackQueryId) {
      await this.bot.telegram
        .answerCbQuery(event.callbackQueryId)
        .catch((err: unknown) =>
          this.app.log.warn({ err: errorInfo(err) }, "telegram: answerCallbackQuery failed"),
        );
    }
    if (event.kind === "ignore") {
      this.app.log.debug({ updateId: update.update_id, reason: event.reason }, "telegram: update ignored");
      return;
    }
    if (event.kind === "group_invite") {
      const lang = Engine.languageFor(event.locale, this.app.config.DEFAULT_LANGUAGE);
      const username = this.bot.botInfo?.username;
      const reply = {
        text: this.app.engine.text("telegram.group_invite", lang),
        links: username
          ? [
              {
                label: this.app.engine.text("telegram.group_invite_button", lang),
                url: `https://t.me/${username}`,
              },
            ]
          : [],
      };
      for (const call of renderForTelegram(event.chatId, [reply]))
        await this.sender.call("sendMessage", { ...call });
      return;
    }
    if (event.kind === "membership") {
      await this.app.records.subscribers
        .setBlocked("telegram", event.userId, event.blocked)
        .catch((err: unknown) =>
          this.app.log.warn({ err: errorInfo(err) }, "telegram: could not record block status"),
        );
      return;
    }
    const inbound = event.inbound;
    const chatId = inbound.conversationId;
    // A staff member replying (Telegram's "Reply") to a request alert answers that request.
    const replyTo =
      "message" in update
        ? (update.message as { reply_to_message?: { text?: string } }).reply_to_message?.text
        : undefined;
    const alertCode =
      replyTo && inbound.text && !inbound.text.startsWith("/")
        ? /\/reply ([0-9a-f]{8})\b/.exec(replyTo)?.[1]
        : undefined;
    const staffText = alertCode ? `/reply ${alertCode} ${inbound.text}` : inbound.text;
    if (staffText?.startsWith("/") && this.staff.isStaff(inbound.userId)) {
      const lang = Engine.languageFor(inbound.locale, this.app.config.DEFAULT_LANGUAGE);
      const answer = await this.staff.handle(inbound.userId, staffText, lang);
      if (answer !== null) {
        for (const call of renderForTelegram(chatId, [{ text: answer }]))
          await this.sender.call("sendMessage", { ...call });
        return;
      }
    }
    const { replies } = await this.app.turns.process(inbound);
    for (const call of renderForTelegram(chatId, replies)) {
      if ((await this.sender.call("sendMessage", { ...call })) === "blocked") break;
    }
  }

  private async identify(): Promise<void> {
    try {
      this.bot.botInfo = await this.bot.telegram.getMe();
    } catch (err) {
      this.app.log.error({ err: errorInfo(err) }, "telegram: getMe failed; will retry on the first update");
    }
  }

  /** A new "talk to staff" request, to every staff member's chat, with the code to answer it by /reply. */
  private async alertStaff(request: HandoffRequest): Promise<void> {
    const lang = this.app.config.DEFAULT_LANGUAGE;
    await this.toStaff(
      this.app.engine.text("staff.handoff_alert", lang, {
        channel: request.channel,
        time: vietnamClock(request.requestedAt),
        question: request.question ?? "",
        code: handoffCode(request),
      }),
    );
  }

  /** The end-of-day digest: the day's and the campaign's totals, and the requests still waiting for staff. */
  private async digestToStaff(): Promise<void> {
    const lang = this.app.config.DEFAULT_LANGUAGE;
    const [stats, waiting] = await Promise.all([
      this.staff.statsText(lang),
      this.app.records.handoffs.open(),
    ]);
    const t = (key: string, values: Record<string, unknown> = {}) =>
      this.app.engine.text(`staff.${key}`, lang, values);
    await this.toStaff(
      `${t("digest_title", { date: vietnamDate(this.app.now().toISOString()) })}\n\n${stats}\n\n${t("digest_waiting", { count: waiting.length })}`,
    );
  }

  private async toStaff(text: string): Promise<void> {
    for (const id of this.app.config.TELEGRAM_STAFF_IDS) {
      for (const call of renderForTelegram(id, [{ text }]))
        await this.sender.call("sendMessage", { ...call });
    }
  }

  /** The localized public command menu, and staff commands only in staff members' chats. */
  private async registerCommands(): Promise<void> {
    const commands = (lang: "vi" | "en") =>
      PUBLIC_COMMANDS.map((command) => ({
        command,
        description: this.app.engine.text(`telegram.commands.${command}`, lang),
      }));
    const calls: Array<Promise<unknown>> = [
      this.bot.telegram.setMyCommands(commands(this.app.config.DEFAULT_LANGUAGE)),
      this.bot.telegram.setMyCommands(commands("vi"), { language_code: "vi" }),
      this.bot.telegram.setMyCommands(commands("en"), { language_code: "en" }),
      ...this.app.config.TELEGRAM_STAFF_IDS.map((id) =>
        this.bot.telegram.setMyCommands(
          [
            ...commands("vi"),
            ...(["stats", "paid", "reply", ...BROADCAST_COMMANDS] as const).map((command) => ({
              command,
              description: this.app.engine.text(`telegram.staff_commands.${command}`, "vi"),
            })),
          ],
          { scope: { type: "chat", chat_id: Number(id) } },
        ),
      ),
    ];
    const results = await Promise.allSettled(calls);
    const failed = results.filter((r) => r.status === "rejected").length;
    if (failed)
      this.app.log.warn(
        { failed },
        "telegram: some setMyCommands calls failed (a staff member may not have started the bot yet)",
      );
  }
}
