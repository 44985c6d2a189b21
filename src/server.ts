import { mountAdmin } from "./admin/admin-routes.ts";
import type { App } from "./app.ts";
import { TelegramChannel } from "./channels/telegram/telegram-channel.ts";
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

/** Starts each channel that has credentials; a channel without them is simply off. */
export async function startChannels(app: App, http: HttpServer): Promise<{ stop(): void }> {
  const channels: Array<{ stop(): void }> = [];
  if (app.config.TELEGRAM_BOT_TOKEN) {
    const telegram = new TelegramChannel(app);
    await telegram.start(http);
    channels.push(telegram);
  }
  if (app.config.ZALO_OA_APP_ID) new ZaloOaChannel(app).mount(http);
  if (app.config.ZALO_BOT_TOKEN) await new ZaloBotChannel(app).start(http);
  return { stop: () => channels.forEach((c) => c.stop()) };
}
