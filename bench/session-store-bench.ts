import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newSession } from "../src/engine/session.ts";
import type { ConversationStore } from "../src/sessions/conversation-store.ts";
import { FileConversationStore } from "../src/sessions/file-conversation-store.ts";
import { MemoryConversationStore } from "../src/sessions/memory-conversation-store.ts";

/**
 * What the default session store costs a turn: acquire (dedupe, lock, read) and release (write)
 * for the memory store and the file store (DATA_DIR/sessions), N turns spread over C
 * conversations, all at once per round. `npm run bench:sessions`; BENCH_TURNS, BENCH_CONVERSATIONS,
 * BENCH_DIR (where the files go; default the OS temp folder) change it.
 */
const turns = Number(process.env.BENCH_TURNS ?? 6_000);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? 40);
const base = process.env.BENCH_DIR ?? tmpdir();

async function run(name: string, store: ConversationStore): Promise<void> {
  const session = newSession("vi", 0);
  Object.assign(session.slots, { amount: 500_000, method: "cash", name: "Nguyễn Văn A", ward: "Ninh Kiều" });
  const latencies: number[] = [];
  const started = performance.now();
  for (let round = 0; round < turns / conversations; round++)
    await Promise.all(
      Array.from({ length: conversations }, async (_, c) => {
        const t = performance.now();
        const lease = await store.acquire(`bench:${c}`, `m:${round}:${c}`);
        session.turns = round;
        await store.release(lease!, session);
        latencies.push(performance.now() - t);
      }),
    );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!.toFixed(2);
  console.log(
    `${name.padEnd(7)} ${turns} turns over ${conversations} conversations: ${Math.round(turns / seconds)} turns/s, ` +
      `per turn p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
  );
  await store.close();
}

const dir = mkdtempSync(join(base, "bench-sessions-"));
const options = { sessionTtlMs: 86_400_000, dedupeTtlMs: 86_400_000 };
await run("memory", new MemoryConversationStore(options));
await run("file", new FileConversationStore({ ...options, dir }));
rmSync(dir, { recursive: true, force: true });
