import { describe, expect, it } from "vitest";
import type { Outbox } from "../../src/records/outbox.ts";

type Doc = { reference: string; amount: number };

/** What every Outbox must do; `reopen` reads the same storage anew (durability). */
export function outboxContract(
  name: string,
  make: () => Promise<{ outbox: Outbox<Doc>; reopen: () => Promise<Outbox<Doc>> }>,
): void {
  describe(`Outbox contract: ${name}`, () => {
    it("keeps the first document put under a key", async () => {
      const { outbox } = await make();
      expect(await outbox.putIfAbsent("k1", { reference: "VNN-AAAAAA", amount: 1 })).toEqual({
        reference: "VNN-AAAAAA",
        amount: 1,
      });
      expect(await outbox.putIfAbsent("k1", { reference: "VNN-BBBBBB", amount: 2 })).toEqual({
        reference: "VNN-AAAAAA",
        amount: 1,
      });
      expect(await outbox.get("k1")).toEqual({ reference: "VNN-AAAAAA", amount: 1 });
      expect(await outbox.get("nope")).toBeNull();
    });

    it("lists, replaces, removes and counts", async () => {
      const { outbox } = await make();
      await outbox.putIfAbsent("a", { reference: "A", amount: 1 });
      await outbox.putIfAbsent("b", { reference: "B", amount: 2 });
      await outbox.replace("a", { reference: "A", amount: 10 });
      expect((await outbox.all()).sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: "a", doc: { reference: "A", amount: 10 } },
        { key: "b", doc: { reference: "B", amount: 2 } },
      ]);
      await outbox.remove("a");
      expect(await outbox.size()).toBe(1);
    });

    it("survives a reopen", async () => {
      const { outbox, reopen } = await make();
      await outbox.putIfAbsent("durable", { reference: "D", amount: 3 });
      expect(await (await reopen()).get("durable")).toEqual({ reference: "D", amount: 3 });
    });
  });
}
