import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config/config.ts";
import { FlowValidationError } from "./engine/flow-loader.ts";
import { installLastResort } from "./log/last-resort.ts";
import { createLogger } from "./log/logger.ts";
import { buildServer, startServices } from "./server.ts";

/** Composition root: config → stores → engine → channels → HTTP server. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  installLastResort(log);
  const app = await createApp(config, log);
  const http = buildServer(app);
  const services = await startServices(app, http);
  const port = await http.listen(config.PORT, config.HOST);
  log.info(
    { port, dataDir: config.DATA_DIR, flows: app.bundle.flows.size },
    `Chung Tay is running: open http://localhost:${port}`,
  );

  const stop = async (signal: string) => {
    log.info({ signal }, "shutting down");
    await services.stop();
    await http.close();
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  // Configuration and flow errors already say what to fix; anything else gets its stack.
  console.error(err instanceof ConfigError || err instanceof FlowValidationError ? err.message : err);
  process.exit(1);
});
