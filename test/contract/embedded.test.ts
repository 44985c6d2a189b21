import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedRecords } from "../../src/records/embedded-records.ts";
import { describe, expect, it } from "vitest";
import { newSession } from "../../src/engine/session.ts";
import { FileConversationStore } from "../../src/sessions/file-conversation-store.ts";
import { MemoryConversationStore } from "../../src/sessions/memory-conversation-store.ts";
import { conversationStoreContract } from "./conversation-store.contract.ts";
import { recordsContract } from "./records.contract.ts";

conversationStoreContract(
  "memory",
  async () => new MemoryConversationStore({ sessionTtlMs: 60_000, dedupeTtlMs: 60_000 }),
);

const fileStore = (dir = mkdtempSync(join(tmpdir(), "chungtay-sessions-")), now?: () => number) =>
  new FileConversationStore({ dir, sessionTtlMs: 60_000, dedupeTtlMs: 60_000, now });

conversationStoreContract("file (the default)", async () => fileStore());

describe("file conversation store across a restart", () => {
  it("keeps the session and remembers handled message ids; files are not named after users", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chungtay-sessions-"));
    const before = fileStore(dir);
    const lease = await before.acquire("webchat:user-0987654321", "webchat:m1");
    const s = newSession("en", 0);
    s.slots.amount = 200_000;
    await before.release(lease!, s);
    await before.close();

    const after = fileStore(dir); // a new process
    expect(await after.acquire("webchat:user-0987654321", "webchat:m1")).toBeNull();
    const next = await after.acquire("webchat:user-0987654321", "webchat:m2");
    expect(next?.session).toMatchObject({ lang: "en", slots: { amount: 200_000 } });
    await after.release(next!, null);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toContain("0987654321");
    expect(readFileSync(join(dir, files[0]!), "utf8")).not.toContain("0987654321");
  });

  it("forgets a session idle past its time to live", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chungtay-sessions-"));
    let now = 1_000_000;
    const store = fileStore(dir, () => now);
    await store.release((await store.acquire("c:old", "m:1"))!, newSession("vi", 0));
    now += 61_000;
    const later = await store.acquire("c:old", "m:2");
    expect(later?.session).toBeNull();
    await store.release(later!, null);
  });
});

recordsContract("embedded, in memory", async () => ({ records: embeddedRecords(null, "VNN") }));

recordsContract("embedded, file-backed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chungtay-records-"));
  return { records: embeddedRecords(dir, "VNN"), reopen: async () => embeddedRecords(dir, "VNN") };
});
