import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { HttpServer } from "../../src/http/http-server.ts";
import { FileKeyValueStore, RedisKeyValueStore } from "../../src/records/key-value-store.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { StaffAccounts } from "../../src/staff/staff-accounts.ts";
import { servicesAvailable, startRedis } from "../support/services.ts";
import { testApp } from "../support/test-app.ts";

const PASSWORD = "correct horse battery";
let app: Awaited<ReturnType<typeof testApp>>;
let http: HttpServer;
let base = "";
let services: { stop(): Promise<void> } | undefined;

afterEach(async () => {
  await services?.stop();
  await http?.close();
  await app?.close();
});

async function boot(env: Record<string, string> = {}): Promise<void> {
  app = await testApp({ env });
  const accounts = new StaffAccounts(app.stores.keyValue);
  await accounts.put(
    { name: "Nguyễn Thị Lan", role: "organiser", lang: "vi", password: PASSWORD },
    "test",
    app.now(),
  );
  await accounts.put({ name: "Minh", role: "viewer", lang: "en", password: PASSWORD }, "test", app.now());
  http = buildServer(app);
  services = await startServices(app, http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

async function login(name: string, password = PASSWORD, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/admin/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ name, password }),
  });
  const cookie = res.headers.get("set-cookie") ?? "";
  return { status: res.status, cookie, json: (await res.json()) as any, session: cookie.split(";")[0]! };
}

async function call(
  path: string,
  session: string,
  init: { method?: string; csrf?: string; body?: object } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers: {
      cookie: session,
      ...(init.csrf ? { "x-csrf-token": init.csrf } : {}),
      ...(init.body ? { "content-type": "application/json" } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, json: (await res.json()) as any };
}

describe("staff accounts and console sessions", () => {
  it("logs a named organiser in with a strict cookie, and audits what they change under their name", async () => {
    await boot();
    const bad = await login("Nguyễn Thị Lan", "not the password");
    expect(bad).toMatchObject({
      status: 401,
      cookie: "",
      json: { code: "login_failed", error: "Tên hoặc mật khẩu không đúng." },
    });

    const ok = await login("nguyễn thị lan"); // names match whatever the case
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ name: "Nguyễn Thị Lan", role: "organiser", lang: "vi" });
    expect(ok.cookie).toMatch(
      /^chungtay_staff=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    // Behind an https proxy the cookie is Secure.
    expect((await login("Minh", PASSWORD, { "x-forwarded-proto": "https" })).cookie).toContain("; Secure");

    expect((await call("/admin/auth/me", ok.session)).json).toMatchObject({ name: "Nguyễn Thị Lan" });
    expect((await call("/admin/api/stats", ok.session)).status).toBe(200);

    // A change without the session's CSRF token is refused; with it, done and audited by name.
    const missing = await call("/admin/api/pledges/status", ok.session, {
      method: "POST",
      body: { reference: "VNN-AAAAAA", status: "paid" },
    });
    expect(missing).toMatchObject({ status: 403, json: { code: "csrf" } });
    // A mistake in what was sent is explained in the staff member's language too.
    const wrong = await call("/admin/api/pledges/status", ok.session, {
      method: "POST",
      csrf: ok.json.csrf,
      body: { reference: "VNN-AAAAAA", status: "refunded" },
    });
    expect(wrong).toEqual({
      status: 400,
      json: {
        error: 'status: Tùy chọn không hợp lệ: mong đợi một trong các giá trị "pledged"|"paid"|"cancelled"',
      },
    });
    expect(
      (
        await call("/admin/api/pledges/status", ok.session, {
          method: "POST",
          csrf: ok.json.csrf,
          body: undefined,
        })
      ).json,
    ).toEqual({ error: "Nội dung yêu cầu phải là JSON hợp lệ.", code: "bad_json" });
    const broadcast = await call("/admin/api/broadcasts", ok.session, {
      method: "POST",
      csrf: ok.json.csrf,
      body: { title: "Thử", message: { text: { vi: "Xin chào" } }, audience: { channels: ["webchat"] } },
    });
    expect(broadcast.status).toBe(201);
    const audit = await app.records.audit.list(20);
    expect(audit.map((e) => `${e.actor} ${e.action}`)).toEqual(
      expect.arrayContaining(["staff:Nguyễn Thị Lan staff.login", "staff:Nguyễn Thị Lan broadcast.create"]),
    );

    // Logging out ends the session in the store, not only in the browser.
    await fetch(`${base}/admin/auth/logout`, {
      method: "POST",
      headers: { cookie: ok.session, "x-csrf-token": ok.json.csrf },
    });
    expect((await call("/admin/api/stats", ok.session)).json.code).toBe("login_required");
  });

  it("refuses a viewer an organiser's action and the CSV export, in the viewer's language", async () => {
    await boot();
    const minh = await login("Minh");
    const asEnglish = async (path: string, method = "GET", body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          cookie: minh.session,
          "x-csrf-token": minh.json.csrf,
          "accept-language": minh.json.lang,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    expect((await asEnglish("/admin/api/pledges")).status).toBe(200);
    expect(
      await asEnglish("/admin/api/pledges/status", "POST", { reference: "VNN-AAAAAA", status: "paid" }),
    ).toEqual({
      status: 403,
      json: { code: "role", error: "This needs the “organiser” role or higher." },
    });
    expect((await asEnglish("/admin/api/pledges?format=csv")).status).toBe(403);
    expect((await asEnglish("/admin/api/audit")).json.error).toBe("This needs the “admin” role or higher.");

    // A role given takes effect in the open session; a password reset ends it.
    const accounts = new StaffAccounts(app.stores.keyValue);
    const account = (await accounts.get("minh"))!;
    await app.stores.keyValue.set("staff:account:minh", JSON.stringify({ ...account, role: "admin" }));
    expect((await asEnglish("/admin/api/audit")).status).toBe(200);
    await accounts.put(
      { name: "Minh", role: "admin", lang: "en", password: "a brand new password" },
      "test",
      app.now(),
    );
    expect((await asEnglish("/admin/api/audit")).json.code).toBe("login_required");
  });

  it("stops password guessing after five wrong passwords for a name, for fifteen minutes", async () => {
    await boot();
    for (let i = 0; i < 5; i++) expect((await login("Minh", `guess ${i} wrong`)).status).toBe(401);
    // Even the right password waits now: the guesser cannot tell when they hit it.
    const limited = await login("Minh");
    expect(limited.status).toBe(429);
    expect(limited.json.error).toBe("Đã nhập sai quá nhiều lần. Hãy thử lại sau 15 phút.");
    // Another name is not locked out by Minh's guesser.
    expect((await login("Nguyễn Thị Lan")).status).toBe(200);
  });

  it("keeps the Bearer token for scripts, named by X-Staff", async () => {
    await boot({ ADMIN_TOKEN: "admin-token-for-tests-0123456789" });
    const res = await fetch(`${base}/admin/api/broadcasts`, {
      method: "POST",
      headers: {
        authorization: "Bearer admin-token-for-tests-0123456789",
        "x-staff": "cron",
        "content-type": "application/json",
      },
      body: JSON.stringify({
        title: "t",
        message: { text: { vi: "x" } },
        audience: { channels: ["webchat"] },
      }),
    });
    expect(res.status).toBe(201);
    expect((await app.records.audit.list(1))[0]!.actor).toBe("admin-api:cron");
  });
});

const withRedis = servicesAvailable("staff sessions in Redis");
describe.runIf(withRedis)("sessions and login counts in Redis", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it("expires entries and counts within a window, like the file store", async () => {
    const client = new Redis(redis.url);
    for (const kv of [new RedisKeyValueStore(client, "t:"), new FileKeyValueStore(null)]) {
      await kv.setFor("s", "v", 100);
      expect(await kv.get("s")).toBe("v");
      expect([await kv.increment("n", 100), await kv.increment("n", 100)]).toEqual([1, 2]);
      await new Promise((r) => setTimeout(r, 150));
      expect(await kv.get("s")).toBeNull();
      expect(await kv.increment("n", 100)).toBe(1);
      await kv.delete("n");
      expect(await kv.get("n")).toBeNull();
    }
    client.disconnect();
  });
});
