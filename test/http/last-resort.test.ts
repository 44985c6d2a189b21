import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";

const children: Array<{ kill(): void }> = [];
afterEach(() => children.splice(0).forEach((c) => c.kill()));

describe("the process-level last resort", () => {
  it("logs an exception that escaped every boundary and keeps serving", { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/support/last-resort-child.ts"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on("data", () => {
        const m = /^(\d+)\n/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once("exit", (code) => reject(new Error(`child exited ${code}`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/escape`)).status).toBe(202);
    await sleep(300);
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(out).toContain("uncaught exception (kept serving)");
    expect(out).toContain("unhandled rejection (kept serving)");
  });
});
