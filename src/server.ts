import { mountAdmin } from "./admin/admin-routes.ts";
import type { App } from "./app.ts";
import { startBroadcasting, type Broadcasting } from "./broadcasts/broadcasting.ts";
import type { ProactiveSender } from "./broadcasts/proactive-sender.ts";
import { TelegramChannel } from "./channels/telegram/telegram-channel.ts";
import { WebchatInbox } from "./channels/webchat/webchat-inbox.ts";
import { mountWebchat } from "./channels/webchat/webchat-routes.ts";
import { ZaloBotChannel } from "./channels/zalo-bot/zalo-bot-channel.ts";
import { ZaloOaChannel } from "./channels/zalo-oa/zalo-oa-channel.ts";
import { mountHealth } from "./http/health-routes.ts";
import { HttpServer } from "./http/http-server.ts";

/** The HTTP server with every route the configuration turns on. */
export function buildServer(app: App): HttpServer {
  const http = new HttpServer(app.log);
  mountHealth(http, app);
  if (app.config.WEBCHAT_ENABLED) mountWebchat(http, app);
  mountAdmin(http, app);
  return http;
}

export interface RunningChannels {
  /** Proactive senders of the channels that run, by channel name (broadcasts, reminders). */
  senders: Map<string, ProactiveSender>;
  stop(): void;
}

/** Starts each channel that has credentials; a channel without them is simply off. */
export async function startChannels(app: App, http: HttpServer): Promise<RunningChannels> {
  const channels: Array<{ stop(): void }> = [];
  const senders = new Map<string, ProactiveSender>();
  if (app.config.WEBCHAT_ENABLED) senders.set("webchat", new WebchatInbox(app.stores.keyValue).sender());
  if (app.config.TELEGRAM_BOT_TOKEN) {
    const telegram = new TelegramChannel(app);
    await telegram.start(http);
    channels.push(telegram);
    senders.set("telegram", telegram.proactive());
  }
  if (app.config.ZALO_OA_APP_ID) {
    const oa = new ZaloOaChannel(app);
    oa.mount(http);
    senders.set("zalo-oa", oa.proactive());
  }
  if (app.config.ZALO_BOT_TOKEN) {
    const bot = new ZaloBotChannel(app);
    await bot.start(http);
    senders.set("zalo-bot", bot.adapter.proactive());
  }
  return { senders, stop: () => channels.forEach((c) => c.stop()) };
}

/** Channels, then broadcasts and reminders over their senders; the staff API and commands find them on app.broadcasts. */
export async function startServices(
  app: App,
  http: HttpServer,
): Promise<{ broadcasting: Broadcasting; stop(): Promise<void> }> {
  const channels = await startChannels(app, http);
  for (const [name, sender] of channels.senders) app.senders.set(name, sender);
  const broadcasting = await startBroadcasting(app);
  app.broadcasts = broadcasting.service;
  return {
    broadcasting,
    stop: async () => {
      channels.stop();
      await broadcasting.close();
    },
  };
}
