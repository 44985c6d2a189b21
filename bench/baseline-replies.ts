/**
 * The messages Chung Tay sends at each step of the bench's pledge (text, parse mode, keyboard),
 * computed once in the bench process, so the telegraf baseline can send the same bytes: the
 * comparison is then about the bots' machinery, not about one bot writing longer messages (our
 * consent step alone says what, why, who and the user's rights).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { createApp } from "../src/app.ts";
import { renderForTelegram } from "../src/channels/telegram/telegram-render.ts";
import { loadConfig } from "../src/config/config.ts";

export const BENCH_TEXTS = ["flow:pledge", "500k", "tiền mặt", "không", "xác nhận"];

/** One sendMessage payload (without chat_id) per step; the last one's reference is "{ref}". */
export async function baselineReplies(): Promise<Array<Record<string, unknown>>> {
  const app = await createApp(
    loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), "bench-replies-")), LOG_LEVEL: "silent" }),
    pino({ level: "silent" }),
  );
  const out: Array<Record<string, unknown>> = [];
  for (const [i, text] of BENCH_TEXTS.entries()) {
    const { replies } = await app.turns.process({
      channel: "telegram",
      messageId: `baseline-${i}`,
      conversationId: "1",
      userId: "1",
      text,
    });
    const calls = renderForTelegram(1, replies);
    if (calls.length !== 1)
      throw new Error(`bench: step ${i} sends ${calls.length} messages; the baseline expects one`);
    const { chat_id: _, ...payload } = calls[0]!;
    const reference = (await app.records.pledges.listByUser("telegram:1"))[0]?.reference;
    out.push(reference ? JSON.parse(JSON.stringify(payload).replaceAll(reference, "{ref}")) : payload);
  }
  await app.close();
  return out;
}
