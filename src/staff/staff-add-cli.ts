import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { loadConfig } from "../config/config.ts";
import { FileKeyValueStore, RedisKeyValueStore } from "../records/key-value-store.ts";
import { STAFF_ROLES, StaffAccounts, staffName, staffPassword, type StaffRole } from "./staff-accounts.ts";

/**
 * npm run staff:add -- --name "Nguyễn Thị Lan" --role admin [--lang vi]
 * Creates (or resets) a console account in the same store the bot reads (Redis when REDIS_URL is
 * set, else DATA_DIR/channel-state.json: then run it before starting the bot, which keeps that
 * file in memory). The password is asked twice without echo, or read from STAFF_PASSWORD.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: "string" },
      role: { type: "string", default: "viewer" },
      lang: { type: "string" },
    },
  });
  const config = loadConfig();
  const name = staffName.safeParse(values.name ?? "");
  if (!name.success) fail(`--name: ${name.error.issues[0]!.message}`);
  if (!(STAFF_ROLES as readonly string[]).includes(values.role!))
    fail(`--role: one of ${STAFF_ROLES.join(", ")}`);
  const lang = values.lang ?? config.DEFAULT_LANGUAGE;
  if (lang !== "vi" && lang !== "en") fail("--lang: vi or en");

  const password = process.env.STAFF_PASSWORD ?? (await askTwice());
  const ok = staffPassword.safeParse(password);
  if (!ok.success) fail(`password: ${ok.error.issues[0]!.message}`);

  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 }) : null;
  const kv = redis
    ? new RedisKeyValueStore(redis, `${config.REDIS_KEY_PREFIX}kv:`)
    : new FileKeyValueStore(join(resolve(config.DATA_DIR), "channel-state.json"));
  const account = await new StaffAccounts(kv).put(
    { name: name.data, role: values.role as StaffRole, lang, password },
    "cli",
    new Date(),
  );
  console.log(
    `Staff account "${account.name}" (${account.role}, ${account.lang}) is ready: log in at /admin`,
  );
  redis?.disconnect();
}

function fail(message: string): never {
  console.error(`staff:add: ${message}`);
  process.exit(1);
}

async function askTwice(): Promise<string> {
  const first = await ask("Password (at least 12 characters): ");
  const second = await ask("Password again: ");
  if (first !== second) fail("the two passwords differ");
  return first;
}

function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Typed characters are not echoed: only the prompt is written.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith(question)) process.stdout.write(question);
  };
  return new Promise((done) =>
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write("\n");
      done(answer);
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
