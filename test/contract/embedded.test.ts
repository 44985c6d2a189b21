import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { embeddedRecords } from "../../src/records/embedded-records.ts";
import { MemoryConversationStore } from "../../src/sessions/memory-conversation-store.ts";
import { conversationStoreContract } from "./conversation-store.contract.ts";
import { recordsContract } from "./records.contract.ts";

conversationStoreContract(
  "memory",
  async () => new MemoryConversationStore({ sessionTtlMs: 60_000, dedupeTtlMs: 60_000 }),
);

recordsContract("embedded, in memory", async () => ({ records: embeddedRecords(null, "VNN") }));

recordsContract("embedded, file-backed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chungtay-records-"));
  return { records: embeddedRecords(dir, "VNN"), reopen: async () => embeddedRecords(dir, "VNN") };
});
