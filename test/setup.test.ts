import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configVariables, loadConfig } from "../src/config/config.ts";
import { freePort } from "./support/services.ts";

const root = process.cwd();
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** KEY=value lines of a dotenv file (comments and blanks skipped). */
function dotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

describe("setup files agree with the configuration", () => {
  it(".env.example names every setting, nothing else, with the real defaults", () => {
    const example = dotenv(read(".env.example"));
    expect(Object.keys(example).sort()).toEqual([...configVariables].sort());
    // Copying .env.example to .env changes nothing: its values are the defaults (blanks included).
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });

  it("an empty value means the default, never 0 or a random port", () => {
    const c = loadConfig({ PORT: "", REMINDER_MAX: "", BROADCAST_BATCH_SIZE: " ", SESSION_TTL_DAYS: "" });
    expect(c).toMatchObject({ PORT: 3000, REMINDER_MAX: 2, BROADCAST_BATCH_SIZE: 50, SESSION_TTL_DAYS: 30 });
    expect(loadConfig({ REMINDER_MAX: "0" }).REMINDER_MAX).toBe(0);
  });

  it("docker-compose.yml starts the bot with Redis and MongoDB, naming only real settings", () => {
    const compose = parse(read("docker-compose.yml")) as {
      services: Record<string, { environment?: Record<string, string>; depends_on?: object; image?: string }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "mongo", "redis"]);
    const env = compose.services.bot!.environment!;
    for (const name of Object.keys(env)) expect(configVariables).toContain(name);
    const config = loadConfig(env);
    expect(new URL(config.REDIS_URL!).hostname).toBe("redis");
    expect(new URL(config.MONGODB_URI!).hostname).toBe("mongo");
    expect(Object.keys(compose.services.bot!.depends_on!).sort()).toEqual(["mongo", "redis"]);
    expect(compose.services.redis!.image).toMatch(/^redis:/);
    expect(compose.services.mongo!.image).toMatch(/^mongo:/);
  });

  it("one Node version in .nvmrc, package.json engines and the Dockerfile", () => {
    const major = read(".nvmrc").trim();
    expect(major).toMatch(/^\d+$/);
    expect(JSON.parse(read("package.json")).engines.node).toBe(`${major}.x`);
    expect(read("Dockerfile")).toMatch(new RegExp(`^FROM node:${major}-`, "m"));
    expect(read("scripts/use-node.sh")).toMatch(new RegExp(`NODE_VERSION:-${major}\\.`));
    expect(read(".ci/run")).toContain(". scripts/use-node.sh");
  });

  it("the Docker image never ships data/ or .env, and its health check asks $PORT", () => {
    const ignored = read(".dockerignore").split("\n");
    expect(ignored).toContain("data/");
    expect(ignored).toContain(".env");
    expect(read("Dockerfile")).toMatch(/HEALTHCHECK .*process\.env\.PORT/);
  });
});

// ── the process, started the way the README says ─────────────────────────────

const started: ChildProcess[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
});

/** A fresh "clone" whose .env the test writes: the repo's files linked into a temp folder. */
function checkout(env: string): string {
  const dir = mkdtempSync(join(tmpdir(), "chungtay-setup-"));
  for (const f of ["package.json", "tsconfig.json", "src", "flows", "locales", "nlu", "node_modules"])
    symlinkSync(join(root, f), join(dir, f));
  writeFileSync(join(dir, ".env"), `DATA_DIR=${join(dir, "data")}\nLOG_LEVEL=warn\n${env}`);
  return dir;
}

function npmStart(cwd: string) {
  const child = spawn("npm", ["start", "--silent"], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (err += d));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return { child, out: () => out, err: () => err, exited, gone };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start", () => {
  it("reads .env, prints where to open on its own line, and stops on SIGTERM to npm", async () => {
    const port = await freePort();
    const run = npmStart(checkout(`PORT=${port}\nREMINDER_MAX=\n`));
    await until(() => run.out().includes("Open http"), 30_000, "the boot line");
    expect(run.out().split("\n")).toContain(`Open http://localhost:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    run.child.kill("SIGTERM"); // the npm process, as a service manager or `kill <pid>` would
    await until(run.gone, 15_000, "npm to exit");
    // The server went with it: no orphan keeps the port (it did when npm ran tsx, a wrapper).
    let up = true;
    for (
      const end = Date.now() + 15_000;
      up && Date.now() < end;
      await new Promise((r) => setTimeout(r, 200))
    )
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => true,
        () => false,
      );
    expect(up).toBe(false);
  }, 60_000);

  it("a port in use: one clear line and exit code 1", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, "0.0.0.0", () => r((blocker.address() as { port: number }).port)),
    );
    try {
      const run = npmStart(checkout(`PORT=${port}\n`));
      expect(await run.exited).toBe(1);
      expect(run.err().trim()).toBe(
        `Chung Tay cannot start: port ${port} is in use (is it already running?). Stop the other program or set PORT in .env.`,
      );
    } finally {
      blocker.close();
    }
  }, 60_000);

  it("a bad value: one line naming the variable, exit code 1", async () => {
    const run = npmStart(checkout(`PORT=80a\n`));
    expect(await run.exited).toBe(1);
    expect(run.err().trim()).toBe('Invalid configuration: PORT="80a": expected a number');
  }, 60_000);
});

// The machine's own Node (20 on the CI machines), if it is older than the project's.
const systemNode = "/usr/bin/node";
const systemMajor = (() => {
  try {
    return Number(
      execFileSync(systemNode, ["-p", "process.versions.node.split('.')[0]"], { encoding: "utf8" }),
    );
  } catch {
    return null;
  }
})();

describe.runIf(systemMajor !== null && systemMajor < 22)(`the machine's Node ${systemMajor}`, () => {
  it("is told in one line which Node to use", async () => {
    const child = spawn(systemNode, ["--import", "tsx", "src/main.ts"], {
      cwd: checkout(`PORT=0\n`),
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.push(child);
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d));
    expect(await new Promise((r) => child.on("exit", r))).toBe(1);
    expect(err.trim()).toMatch(
      /^Chung Tay needs Node 24 \(\.nvmrc\); this is Node 20\.[\d.]+\. Run: \. scripts\/use-node\.sh/,
    );
  }, 60_000);
});
