import { createHash, timingSafeEqual } from "node:crypto";
import { ActivityTypes, type Activity, type TurnContext } from "botbuilder-core";
import { z } from "zod";
import type { App } from "../../app.ts";
import type { ProactiveSender } from "../../broadcasts/proactive-sender.ts";
import type { Inbound } from "../../engine/inbound.ts";
import type { HttpServer } from "../../http/http-server.ts";
import { errorInfo } from "../../log/error-info.ts";
import { replyToActivity } from "../reply-activity.ts";
import { ZALO_OA_CHANNEL, ZaloOaAdapter } from "./zalo-oa-adapter.ts";
import { ZaloOaClient } from "./zalo-oa-client.ts";
import { ZaloOaTokens } from "./zalo-oa-tokens.ts";

export const ZALO_OA_WEBHOOK_PATH = "/webhooks/zalo-oa";

/** An optional field of the wrong type is read as absent rather than failing the turn. */
const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/** The parts of an OA webhook event the bot reads; everything else passes through. */
const eventSchema = z
  .object({
    event_name: z.string(),
    app_id: z.string(),
    timestamp: z.union([z.string(), z.number()]).transform(Number),
    sender: optional(z.object({ id: z.string() })),
    follower: optional(z.object({ id: z.string() })),
    message: optional(z.object({ text: optional(z.string()), msg_id: optional(z.string()) }).passthrough()),
    info: optional(z.object({ name: optional(z.string()), phone: optional(z.string()) }).passthrough()),
  })
  .passthrough();
type ZaloEvent = z.infer<typeof eventSchema>;

const UNSUPPORTED = new Set([
  "user_send_image",
  "user_send_gif",
  "user_send_link",
  "user_send_audio",
  "user_send_video",
  "user_send_sticker",
  "user_send_location",
  "user_send_file",
  "user_send_business_card",
]);

/**
 * Zalo Official Account: verifies each webhook (X-ZEvent-Signature over the raw bytes, app id,
 * timestamp age), answers 200 at once, then runs the turn through the botbuilder adapter.
 * Turns of one user start in arrival order, and the conversation store keeps them in order.
 */
export class ZaloOaChannel {
  readonly adapter: ZaloOaAdapter;
  private readonly client: ZaloOaClient;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly app: App) {
    const c = app.config;
    if (
      !c.ZALO_OA_APP_ID ||
      !c.ZALO_OA_WEBHOOK_SECRET ||
      !c.ZALO_APP_SECRET ||
      !c.ZALO_OA_ACCESS_TOKEN ||
      !c.ZALO_OA_REFRESH_TOKEN
    )
      throw new Error("zalo-oa channel: credentials missing");
    const tokens = new ZaloOaTokens(
      app.stores.keyValue,
      { accessToken: c.ZALO_OA_ACCESS_TOKEN, refreshToken: c.ZALO_OA_REFRESH_TOKEN },
      { root: c.ZALO_OAUTH_ROOT, appId: c.ZALO_OA_APP_ID, appSecret: c.ZALO_APP_SECRET },
      app.log,
    );
    this.client = new ZaloOaClient(
      c.ZALO_OA_API_ROOT,
      tokens,
      app.records.subscribers,
      app.log,
      undefined,
      app.now,
    );
    this.adapter = new ZaloOaAdapter(this.client);
    this.adapter.onTurnError = async (_context, err) =>
      app.log.error({ err: errorInfo(err) }, "zalo-oa: turn failed");
  }

  /** Proactive messages (broadcasts, reminders): customer-service messages, refused outside the window. */
  proactive(): ProactiveSender {
    return this.client.proactive();
  }

  mount(http: HttpServer): void {
    http.route("POST", ZALO_OA_WEBHOOK_PATH, (req) => {
      const event = this.verify(req.rawBody, req.headers["x-zevent-signature"]);
      if (!event) return { status: 401, body: { error: "bad or missing signature" } };
      if (event === "malformed") {
        // Signed by Zalo, so not an attack: acknowledged, or Zalo would send it again.
        this.app.log.warn({ bytes: req.rawBody.length }, "zalo-oa: malformed event acknowledged and dropped");
        return { status: 200, body: { ok: true } };
      }
      // Zalo wants an answer within 2 s: the turn runs after the 200.
      const job = this.dispatch(event).finally(() => this.inFlight.delete(job));
      this.inFlight.add(job);
      return { status: 200, body: { ok: true } };
    });
  }

  /** Resolves when every accepted event has been handled (tests, graceful stop). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  /**
   * The event, if the signature, app id and timestamp hold; null otherwise. "malformed" when
   * it is signed but a field the bot needs (event name, app id, timestamp) has the wrong type.
   */
  private verify(raw: Buffer, header: string | string[] | undefined): ZaloEvent | "malformed" | null {
    const c = this.app.config;
    const mac = typeof header === "string" ? /^mac=([0-9a-f]{64})$/i.exec(header.trim())?.[1] : undefined;
    if (!mac) return null;
    let json: { timestamp?: unknown };
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return null;
    }
    if (!json || typeof json !== "object") return null;
    // mac = sha256(app_id + raw body + timestamp + secret), plain SHA-256 (FIELD-NOTES).
    const timestamp = String(json.timestamp);
    const expected = createHash("sha256")
      .update(
        Buffer.concat([
          Buffer.from(c.ZALO_OA_APP_ID!),
          raw,
          Buffer.from(timestamp + c.ZALO_OA_WEBHOOK_SECRET!),
        ]),
      )
      .digest();
    if (!timingSafeEqual(expected, Buffer.from(mac, "hex"))) return null;
    const checked = eventSchema.safeParse(json);
    if (!checked.success) return "malformed";
    const parsed = checked.data;
    if (parsed.app_id !== c.ZALO_OA_APP_ID) return null;
    if (
      !Number.isFinite(parsed.timestamp) ||
      Math.abs(this.app.now().getTime() - parsed.timestamp) > c.ZALO_WEBHOOK_MAX_AGE_MS
    )
      return null;
    return parsed;
  }

  private async dispatch(event: ZaloEvent): Promise<void> {
    try {
      const records = this.app.records;
      if (event.event_name === "unfollow" && event.follower) {
        await records.subscribers.setOptIn(
          ZALO_OA_CHANNEL,
          event.follower.id,
          false,
          this.app.config.DEFAULT_LANGUAGE,
          this.app.now(),
        );
        return;
      }
      if (event.event_name === "follow" && event.follower) {
        await records.subscribers.setOptIn(
          ZALO_OA_CHANNEL,
          event.follower.id,
          true,
          this.app.config.DEFAULT_LANGUAGE,
          this.app.now(),
        );
        await records.subscribers.setUnreachable(ZALO_OA_CHANNEL, event.follower.id, null, this.app.now());
        return this.turn(event.follower.id, `follow:${event.follower.id}:${event.timestamp}`, {
          text: "/start",
        });
      }
      const userId = event.sender?.id;
      if (!userId) {
        this.app.log.info({ event: event.event_name }, "zalo-oa: event without a sender acknowledged");
        return;
      }
      const messageId = event.message?.msg_id ?? `${event.event_name}:${userId}:${event.timestamp}`;
      // A message from the user opens a new messaging window.
      await records.subscribers.setUnreachable(ZALO_OA_CHANNEL, userId, null, this.app.now()).catch(() => {});
      if (event.event_name === "user_send_text")
        return this.turn(userId, messageId, { text: event.message?.text ?? "" });
      if (event.event_name === "user_submit_info" && event.info?.phone)
        return this.turn(userId, messageId, { contact: { phone: event.info.phone, name: event.info.name } });
      if (UNSUPPORTED.has(event.event_name))
        return this.turn(userId, messageId, { unsupported: event.event_name.replace("user_send_", "") });
      this.app.log.info({ event: event.event_name }, "zalo-oa: event not used, acknowledged");
    } catch (err) {
      this.app.log.error({ err: errorInfo(err), event: event.event_name }, "zalo-oa: event failed");
    }
  }

  /** One turn through the adapter: activity in, engine, activities out. */
  private async turn(userId: string, messageId: string, content: Partial<Inbound>): Promise<void> {
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: messageId,
      channelId: ZALO_OA_CHANNEL,
      from: { id: userId, name: "" },
      conversation: { id: userId, isGroup: false, conversationType: "personal", name: "" },
      recipient: { id: this.app.config.ZALO_OA_APP_ID!, name: "" },
      text: content.text,
      channelData: { contact: content.contact, unsupported: content.unsupported },
    };
    await this.adapter.processActivity(activity, (context) => this.logic(context));
  }

  private async logic(context: TurnContext): Promise<void> {
    const a = context.activity;
    const { replies } = await this.app.turns.process({
      channel: ZALO_OA_CHANNEL,
      messageId: a.id!,
      conversationId: a.conversation.id,
      userId: a.from.id,
      text: a.text,
      contact: a.channelData?.contact,
      unsupported: a.channelData?.unsupported,
    });
    if (replies.length) await context.sendActivities(replies.map(replyToActivity));
  }
}
