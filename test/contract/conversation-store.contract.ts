import { describe, expect, it } from "vitest";
import { newSession } from "../../src/engine/session.ts";
import type { ConversationStore } from "../../src/sessions/conversation-store.ts";

/**
 * What every ConversationStore must do: one turn at a time per conversation in arrival order,
 * a message id claimed once, sessions kept between turns. Run against each implementation.
 */
export function conversationStoreContract(name: string, make: () => Promise<ConversationStore>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    it("keeps a session between turns and starts empty for a new conversation", async () => {
      const store = await make();
      const first = await store.acquire("c:1", "m:1");
      expect(first?.session).toBeNull();
      const s = newSession("vi", 0);
      s.slots.amount = 500_000;
      await store.release(first!, s);
      const second = await store.acquire("c:1", "m:2");
      expect(second?.session?.slots.amount).toBe(500_000);
      await store.release(second!, null);
      await store.close();
    });

    it("claims a message id once; a failed turn frees it for redelivery", async () => {
      const store = await make();
      const lease = await store.acquire("c:2", "m:dup");
      // A message belongs to one conversation, so a redelivery names the same conversation.
      expect(await store.acquire("c:2", "m:dup")).toBeNull();
      await store.release(lease!, null, { failed: true });
      const again = await store.acquire("c:2", "m:dup");
      expect(again).not.toBeNull();
      await store.release(again!, null);
      expect(await store.acquire("c:2", "m:dup")).toBeNull();
      await store.close();
    });

    it("applies 50 concurrent turns of one conversation one at a time, in arrival order, losing no write", async () => {
      const store = await make();
      const order: number[] = [];
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const lease = await store.acquire("c:busy", `m:busy:${i}`);
          inside++;
          maxInside = Math.max(maxInside, inside);
          const s = lease!.session ?? newSession("vi", 0);
          order.push(i);
          s.slots.count = Number(s.slots.count ?? 0) + 1;
          await new Promise((r) => setTimeout(r, 1));
          inside--;
          await store.release(lease!, s);
        }),
      );
      expect(maxInside).toBe(1);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const last = await store.acquire("c:busy", "m:busy:check");
      expect(last?.session?.slots.count).toBe(50);
      await store.release(last!, null);
      await store.close();
    });

    it("runs different conversations concurrently", async () => {
      const store = await make();
      const a = await store.acquire("c:a", "m:a");
      const b = await Promise.race([
        store.acquire("c:b", "m:b"),
        new Promise((r) => setTimeout(() => r("blocked"), 500)),
      ]);
      expect(b).not.toBe("blocked");
      await store.release(a!, null);
      await store.release(b as NonNullable<typeof a>, null);
      await store.close();
    });

    it("hands each turn its own copy: changing a session without releasing it changes nothing", async () => {
      const store = await make();
      const first = await store.acquire("c:copy", "m:copy:1");
      await store.release(first!, newSession("vi", 0));
      const failing = await store.acquire("c:copy", "m:copy:2");
      failing!.session!.slots.amount = 999; // a turn that then fails: nothing is written
      await store.release(failing!, null, { failed: true });
      const next = await store.acquire("c:copy", "m:copy:3");
      expect(next?.session?.slots.amount).toBeUndefined();
      await store.release(next!, null);
      await store.close();
    });

    it("forgets a deleted session", async () => {
      const store = await make();
      const lease = await store.acquire("c:del", "m:del:1");
      await store.release(lease!, newSession("en", 0));
      await store.delete("c:del");
      const again = await store.acquire("c:del", "m:del:2");
      expect(again?.session).toBeNull();
      await store.release(again!, null);
      await store.close();
    });
  });
}
