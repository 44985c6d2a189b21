// A bot process whose turn hangs mid-way (after it took the conversation and the message id),
// for the kill -9 test: it is killed there. Env: REDIS_URL, PREFIX, LOCK_TTL_MS.
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Engine } from "../../src/engine/engine.ts";
import { RedisConversationStore } from "../../src/sessions/redis-conversation-store.ts";
import { TurnProcessor } from "../../src/turns/turn-processor.ts";

const store = new RedisConversationStore(new Redis(process.env.REDIS_URL!), {
  keyPrefix: process.env.PREFIX!,
  sessionTtlSeconds: 3600,
  dedupeTtlSeconds: 86_400,
  lockTtlMs: Number(process.env.LOCK_TTL_MS),
  lockWaitMs: 10_000,
});
const hanging = { handle: () => new Promise(() => {}) } as unknown as Engine;
const turns = new TurnProcessor(hanging, store, pino({ level: "silent" }), "vi");
void turns.process({
  channel: "test",
  messageId: "stop-1",
  conversationId: "killed",
  userId: "killed",
  text: "dừng nhận tin",
});
