import { createInterface } from "node:readline/promises";
import { pino } from "pino";
import { createApp } from "../../app.ts";
import { ConfigError, loadConfig } from "../../config/config.ts";
import { loadEnvFile } from "../../config/env-file.ts";
import type { Reply } from "../../engine/reply.ts";

/**
 * `npm run chat`: the same engine and stores in a terminal. Buttons are numbered; type the
 * number to press one. Ctrl+D or "exit" leaves.
 */
async function chat(): Promise<void> {
  loadEnvFile();
  const config = loadConfig();
  const app = await createApp(config, pino({ level: "silent" }));
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let buttons: Array<{ label: string; payload: string }> = [];
  let n = 0;

  const turn = async (text: string) => {
    const pressed = /^\d+$/.test(text) ? buttons[Number(text) - 1] : undefined;
    const { replies } = await app.turns.process({
      channel: "console",
      messageId: `${process.pid}-${Date.now()}-${++n}`,
      conversationId: "local",
      userId: "local",
      text: pressed ? undefined : text,
      payload: pressed?.payload,
      locale: process.env.LANG?.startsWith("en") ? "en" : undefined,
    });
    buttons = replies.flatMap((r) => r.buttons ?? []);
    print(replies, buttons);
  };

  await turn("/start");
  process.stdout.write("> ");
  // The async iterator buffers lines, so piped input (a script of turns) is not lost.
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === "exit" || line === "/exit") break;
    if (line) await turn(line);
    process.stdout.write("> ");
  }
  rl.close();
  await app.close();
}

function print(replies: Reply[], buttons: Array<{ label: string }>): void {
  for (const r of replies) {
    console.log(`\n${r.text}`);
    for (const l of r.links ?? []) console.log(`  🔗 ${l.label}: ${l.url}`);
  }
  if (buttons.length) console.log(`\n${buttons.map((b, i) => `  [${i + 1}] ${b.label}`).join("\n")}`);
}

chat().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
