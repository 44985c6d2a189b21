import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { createServer, connect } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

/**
 * Throwaway Redis and FerretDB (MongoDB wire protocol) servers on free loopback ports, so
 * integration tests never touch anyone's data. Binaries come from scripts/install-test-services.sh.
 */
export const FERRETDB_BIN =
  process.env.FERRETDB_BIN ??
  join(process.env.CHUNGTAY_CACHE ?? join(homedir(), ".cache", "chung-tay"), "ferretdb-v1.24.2");

function redisBin(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * True when both servers can be started. Without them, integration suites are skipped with a
 * loud notice, except under CI=true, where a missing service fails the run.
 */
export function servicesAvailable(suite: string): boolean {
  const missing = [
    redisBin() ? null : "redis-server",
    existsSync(FERRETDB_BIN) ? null : `FerretDB (${FERRETDB_BIN})`,
  ].filter(Boolean);
  if (missing.length === 0) return true;
  const message = `${suite}: ${missing.join(" and ")} not installed; run scripts/install-test-services.sh`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: integration tests must run)`);
  console.warn(`\n⚠️  SKIPPING ${message}\n`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`test services: nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A server process that can be stopped and started again on the same port and data. */
export class TestService {
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly command: string,
    private readonly args: string[],
  ) {}

  /** The running server's process id (benchmarks read its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<this> {
    this.child = spawn(this.command, this.args, { stdio: "ignore" });
    await waitForPort(this.port);
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

export async function startRedis(): Promise<TestService & { url: string }> {
  const port = await freePort();
  const svc = new TestService(port, "redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
  ]);
  await svc.start();
  return Object.assign(svc, { url: `redis://127.0.0.1:${port}` });
}

export async function startFerretDb(): Promise<TestService & { uri: (db: string) => string }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "chungtay-ferretdb-"));
  // Each instance gets its own state dir and debug port (the default 8088 would clash).
  const debugPort = await freePort();
  const svc = new TestService(port, FERRETDB_BIN, [
    "--handler=sqlite",
    `--sqlite-url=file:${dir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    `--debug-addr=127.0.0.1:${debugPort}`,
    `--state-dir=${dir}`,
    "--telemetry=disable",
    "--log-level=error",
  ]);
  await svc.start();
  return Object.assign(svc, { uri: (db: string) => `mongodb://127.0.0.1:${port}/${db}` });
}
