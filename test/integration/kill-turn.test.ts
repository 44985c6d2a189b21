import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servicesAvailable, startRedis } from "../support/services.ts";
import { testApp } from "../support/test-app.ts";

/**
 * At least once across kill -9: a bot process killed in the middle of a turn must not lose the
 * message (the platform's redelivery is processed) nor hold the conversation for long.
 */
const available = servicesAvailable("kill -9 turn");
let redis: Awaited<ReturnType<typeof startRedis>>;

describe.runIf(available)("a turn killed with kill -9", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it(
    "is redone when the platform redelivers it, and frees the conversation within seconds",
    { timeout: 60_000 },
    async () => {
      const prefix = "kill:";
      const LOCK_TTL_MS = "1500";
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/hanging-turn-child.ts"], {
        env: { ...process.env, REDIS_URL: redis.url, PREFIX: prefix, LOCK_TTL_MS },
        stdio: "ignore",
      });
      const client = new Redis(redis.url);
      const claim = `${prefix}c:{test:killed}:d:test:stop-1`;
      try {
        // The child took the message and the conversation, and keeps its lease while the turn runs.
        const deadline = Date.now() + 30_000;
        while ((await client.get(claim)) !== "p") {
          if (Date.now() > deadline) throw new Error("the child never claimed the message");
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 2_000)); // longer than one lease: renewal keeps it
        expect(await client.get(claim)).toBe("p");

        const app = await testApp({
          env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, LOCK_TTL_MS, LOCK_WAIT_MS: "20000" },
        });
        const deliver = (messageId: string, text: string) =>
          app.turns.process({ channel: "test", messageId, conversationId: "killed", userId: "killed", text });
        // While the turn lives, a redelivery is a duplicate (it is being answered).
        expect((await deliver("stop-1", "dừng nhận tin")).duplicate).toBe(true);

        child.kill("SIGKILL");
        const killedAt = Date.now();
        // Telegram and Zalo redeliver until they get an answer: keep redelivering, as they do.
        let redone = await deliver("stop-1", "dừng nhận tin");
        while (redone.duplicate && Date.now() - killedAt < 20_000) {
          await new Promise((r) => setTimeout(r, 250));
          redone = await deliver("stop-1", "dừng nhận tin");
        }
        expect(redone.duplicate).toBe(false);
        expect(redone.replies.length).toBeGreaterThan(0);
        expect(redone.replies.map((r) => r.text).join(" ")).not.toContain("sự cố");
        // Within seconds of the kill, not a long lock TTL.
        expect(Date.now() - killedAt).toBeLessThan(8_000);
        // Done now: a later redelivery is a duplicate, and the conversation serves the next message.
        expect((await deliver("stop-1", "dừng nhận tin")).duplicate).toBe(true);
        expect((await deliver("next-1", "menu")).replies.length).toBeGreaterThan(0);
        await app.close();
      } finally {
        child.kill("SIGKILL");
        client.disconnect();
      }
    },
  );
});
