import type { App } from "./app.ts";
import { mountWebchat } from "./channels/webchat/webchat-routes.ts";
import { mountHealth } from "./http/health-routes.ts";
import { HttpServer } from "./http/http-server.ts";

/** The HTTP server with every route the configuration turns on. */
export function buildServer(app: App): HttpServer {
  const http = new HttpServer(app.log);
  mountHealth(http, app);
  if (app.config.WEBCHAT_ENABLED) mountWebchat(http, app);
  return http;
}
