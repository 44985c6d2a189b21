import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toCsv } from "../src/http/csv.ts";
import { JsonFileCollection } from "../src/records/json-file-collection.ts";
import { FileKeyValueStore } from "../src/records/key-value-store.ts";

describe("embedded JSON files under kill -9", () => {
  it("leave a whole file and no temp file behind once reopened", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "chungtay-kill-"));
    const file = join(dir, "pledges.json");
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/file-writer-child.ts"], {
        env: { ...process.env, FILE: file },
        stdio: ["ignore", "pipe", "ignore"],
      });
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      await new Promise((r) => setTimeout(r, 300 + round * 100));
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      });
    }
    // What the next start sees: every write so far, whole, and no temp file left to pile up.
    const reopened = new JsonFileCollection<{ n: number }>(file);
    expect(reopened.all().length).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("CSV for staff spreadsheets", () => {
  it("quotes a cell with a semicolon, so a ';=' cannot start a formula cell in Vietnamese Excel", () => {
    const csv = toCsv([["name"], ["Lan;=cmd|' /C calc'!A0"], ["=1+1"]]);
    expect(csv.split("\r\n")[1]).toBe(`"Lan;=cmd|' /C calc'!A0"`);
    expect(csv.split("\r\n")[2]).toBe("'=1+1");
  });
});

describe("channel-state.json (the embedded key-value store)", () => {
  it("drops state that has expired, so per-chat entries do not pile up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chungtay-kv-"));
    const file = join(dir, "channel-state.json");
    const kv = new FileKeyValueStore(file);
    for (let i = 0; i < 200; i++) await kv.set(`zalo-bot:buttons:chat-${i}`, '["flow:pledge"]', 50);
    await kv.set("zalo-oa:tokens", "kept");
    await new Promise((r) => setTimeout(r, 80));
    await kv.set("zalo-bot:buttons:chat-new", '["flow:menu"]', 60_000);
    const stored = JSON.parse(readFileSync(file, "utf8")) as Array<{ key: string }>;
    expect(stored.map((d) => d.key).sort()).toEqual(["zalo-bot:buttons:chat-new", "zalo-oa:tokens"]);
    expect(await kv.get("zalo-bot:buttons:chat-1")).toBeNull();
    expect(await kv.get("zalo-oa:tokens")).toBe("kept");
  });
});
