import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toCsv } from "../src/http/csv.ts";
import { JsonFileCollection } from "../src/records/json-file-collection.ts";

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
