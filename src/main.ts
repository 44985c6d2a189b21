import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config/config.ts";
import { loadEnvFile } from "./config/env-file.ts";
import { FlowValidationError } from "./engine/flow-loader.ts";
import { installLastResort } from "./log/last-resort.ts";
import { createLogger } from "./log/logger.ts";
import { buildServer, startServices } from "./server.ts";

/** Composition root: config → stores → engine → channels → HTTP server. */
async function main(): Promise<void> {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22)
    throw new StartError(
      `Chung Tay needs Node 24 (.nvmrc); this is Node ${process.versions.node}. Run: . scripts/use-node.sh (or nvm use)`,
    );
  loadEnvFile();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  installLastResort(log);
  const app = await createApp(config, log);
  const http = buildServer(app);
  const services = await startServices(app, http);
  let port: number;
  try {
    port = await http.listen(config.PORT, config.HOST);
  } catch (err) {
    await services.stop();
    await app.close();
    throw listenError(err, config.PORT, config.HOST);
  }
  log.info({ port, dataDir: config.DATA_DIR, flows: app.bundle.flows.size }, "Chung Tay is running");
  // On its own line, outside the JSON log, so a newcomer sees where to go.
  const host = ["0.0.0.0", "::", "127.0.0.1", "::1"].includes(config.HOST) ? "localhost" : config.HOST;
  process.stdout.write(`\nOpen http://${host}:${port}\n\n`);

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

/** Errors a person can fix; their message is all they need. */
class StartError extends Error {}

function listenError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return new StartError(
      `Chung Tay cannot start: port ${port} is in use (is it already running?). Stop the other program or set PORT in .env.`,
    );
  if (code === "EACCES")
    return new StartError(
      `Chung Tay cannot start: no permission to listen on port ${port}; set PORT above 1024.`,
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new StartError(`Chung Tay cannot start: HOST=${host} is not an address of this machine.`);
  return err;
}

main().catch((err: unknown) => {
  // Configuration, flow and start errors already say what to fix; anything else gets its stack.
  const known = err instanceof ConfigError || err instanceof FlowValidationError || err instanceof StartError;
  console.error(known ? (err as Error).message : err);
  process.exit(1);
});
