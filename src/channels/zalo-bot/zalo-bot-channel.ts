import { ActivityTypes, type TurnContext } from "botbuilder-core";
import { z } from "zod";
import type { App } from "../../app.ts";
import type { HttpServer } from "../../http/http-server.ts";
import { SharedSecret } from "../../http/shared-secret.ts";
import { errorInfo } from "../../log/error-info.ts";
import { replyToActivity } from "../reply-activity.ts";
import { ZALO_BOT_CHANNEL, ZaloBotAdapter } from "./zalo-bot-adapter.ts";

export const ZALO_BOT_WEBHOOK_PATH = "/webhooks/zalo-bot";

const updateSchema = z
  .object({
    event_name: z.string(),
    message: z
      .object({
        message_id: z.union([z.string(), z.number()]).transform(String),
        from: z.object({ id: z.union([z.string(), z.number()]).transform(String) }).passthrough(),
        chat: z.object({ id: z.union([z.string(), z.number()]).transform(String) }).passthrough(),
        text: z.string().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

/**
 * The Zalo Bot platform: POST /webhooks/zalo-bot with the X-Bot-Api-Secret-Token check; bodies
 * come bare or wrapped as {ok, result}; text messages are turns, other messages get the short
 * "text only" reply, unknown events are acknowledged. Registers its webhook on start when a
 * public URL is configured.
 */
export class ZaloBotChannel {
  readonly adapter: ZaloBotAdapter;
  private readonly secret: SharedSecret;

  constructor(private readonly app: App) {
    const c = app.config;
    if (!c.ZALO_BOT_TOKEN || !c.ZALO_BOT_WEBHOOK_SECRET)
      throw new Error("zalo-bot channel: ZALO_BOT_TOKEN and ZALO_BOT_WEBHOOK_SECRET are needed");
    this.adapter = new ZaloBotAdapter(
      { root: c.ZALO_BOT_API_ROOT, token: c.ZALO_BOT_TOKEN },
      app.stores.keyValue,
      app.log,
    );
    this.adapter.onTurnError = async (_context, err) =>
      app.log.error({ err: errorInfo(err) }, "zalo-bot: turn failed");
    this.secret = new SharedSecret(c.ZALO_BOT_WEBHOOK_SECRET);
  }

  async start(http: HttpServer): Promise<void> {
    http.route("POST", ZALO_BOT_WEBHOOK_PATH, async (req) => {
      if (!this.secret.matches(req.headers["x-bot-api-secret-token"]))
        return { status: 401, body: { error: "wrong or missing secret token" } };
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString("utf8"));
      } catch {
        json = null;
      }
      // Some deliveries wrap the update as {ok: true, result: {...}}.
      const unwrapped =
        json && typeof json === "object" && "result" in json ? (json as { result: unknown }).result : json;
      const update = updateSchema.safeParse(unwrapped);
      if (!update.success) {
        this.app.log.warn(
          { bytes: req.rawBody.length },
          "zalo-bot: malformed update acknowledged and dropped",
        );
        return { status: 200, body: { ok: true } };
      }
      await this.handle(update.data);
      return { status: 200, body: { ok: true } };
    });
    const url = this.app.config.ZALO_BOT_PUBLIC_URL;
    if (url) {
      const ok = await this.adapter.call("setWebhook", {
        url: `${url.replace(/\/$/, "")}${ZALO_BOT_WEBHOOK_PATH}`,
        secret_token: this.app.config.ZALO_BOT_WEBHOOK_SECRET,
      });
      if (ok) this.app.log.info("zalo-bot: webhook registered");
    }
  }

  private async handle(update: z.infer<typeof updateSchema>): Promise<void> {
    const m = update.message;
    if (!m) {
      this.app.log.info({ event: update.event_name }, "zalo-bot: event without a message acknowledged");
      return;
    }
    const isText = update.event_name === "message.text.received" && m.text !== undefined;
    const payload = isText ? await this.adapter.buttonFor(m.chat.id, m.text!) : undefined;
    const activity = {
      type: ActivityTypes.Message,
      id: m.message_id,
      channelId: ZALO_BOT_CHANNEL,
      from: { id: m.from.id, name: "" },
      conversation: { id: m.chat.id, isGroup: false, conversationType: "personal", name: "" },
      recipient: { id: "bot", name: "" },
      text: isText ? m.text : undefined,
      channelData: { payload, unsupported: isText ? undefined : update.event_name },
    };
    await this.adapter.processActivity(activity, (context) => this.logic(context));
  }

  private async logic(context: TurnContext): Promise<void> {
    const a = context.activity;
    await this.adapter.call("sendChatAction", { chat_id: a.conversation.id, action: "typing" });
    const { replies } = await this.app.turns.process({
      channel: ZALO_BOT_CHANNEL,
      messageId: a.id!,
      conversationId: a.conversation.id,
      userId: a.from.id,
      text: a.channelData?.payload ? undefined : a.text,
      payload: a.channelData?.payload,
      unsupported: a.channelData?.unsupported,
    });
    if (replies.length) await context.sendActivities(replies.map(replyToActivity));
  }
}
