import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino, type Logger } from "pino";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config/config.ts";

/** A bot on embedded stores in a fresh temp DATA_DIR, with a clock the test controls. */
export async function testApp(
  options: { dataDir?: string; today?: string; env?: Record<string, string>; log?: Logger } = {},
): Promise<App & { clock: { now: Date } }> {
  const clock = { now: new Date(`${options.today ?? "2019-10-20"}T09:00:00+07:00`) };
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "chungtay-test-"));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent", ...options.env });
  const app = await createApp(config, options.log ?? pino({ level: "silent" }), { now: () => clock.now });
  return Object.assign(app, { clock });
}
