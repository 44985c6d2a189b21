import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../src/app.ts";
import type { HttpServer } from "../src/http/http-server.ts";
import { buildServer } from "../src/server.ts";
import { testApp } from "./support/test-app.ts";

const TOKEN = "admin-token-for-tests-0123456789";
let app: App;
let http: HttpServer;
let base = "";

afterEach(async () => {
  await http.close();
  await app.close();
});

async function boot(env: Record<string, string> = { ADMIN_TOKEN: TOKEN }): Promise<void> {
  app = await testApp({ env });
  http = buildServer(app);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

async function call(method: string, path: string, body?: object, token: string | null = TOKEN) {
  const res = await fetch(`${base}${path}`, { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, json: (await res.json()) as any };
}

async function pledge(user: string, amount: string): Promise<string> {
  let n = 0;
  const send = async (m: object) => (await app.turns.process({ channel: "webchat", messageId: `${user}-${++n}`, conversationId: user, userId: user, ...m })).replies.map((r) => r.text).join();
  await send({ payload: "flow:pledge" });
  await send({ text: amount });
  await send({ payload: "v:cash" });
  await send({ payload: "v:no" });
  return /VNN-[0-9A-Z]{6}/.exec(await send({ payload: "v:confirm" }))![0];
}

describe("admin API", () => {
  it("is off without ADMIN_TOKEN", async () => {
    await boot({});
    expect((await call("GET", "/admin/api/stats")).status).toBe(404);
  });

  it("refuses a missing or wrong token", async () => {
    await boot();
    expect((await call("GET", "/admin/api/stats", undefined, null)).status).toBe(401);
    expect((await call("GET", "/admin/api/stats", undefined, "wrong-token-0123456789")).status).toBe(401);
  });

  it("gives totals, changes a pledge's status, lists staff requests, and audits each", async () => {
    await boot();
    const ref = await pledge("w1", "300k");
    await pledge("w2", "200k");
    expect((await call("GET", "/admin/api/stats")).json).toMatchObject({ count: 2, amount: 500_000, byMethod: { cash: { count: 2, amount: 500_000 } } });
    expect((await call("GET", "/admin/api/stats?since=2030-01-01")).json).toMatchObject({ count: 0 });
    expect((await call("GET", "/admin/api/stats?since=yesterday")).status).toBe(400);

    expect(await call("POST", "/admin/api/pledges/status", { reference: ref.toLowerCase(), status: "cancelled" })).toEqual({ status: 200, json: { reference: ref, status: "cancelled", amount: 300_000 } });
    expect((await call("GET", "/admin/api/stats")).json).toMatchObject({ count: 1, amount: 200_000 });
    expect((await call("POST", "/admin/api/pledges/status", { reference: "VNN-ZZZZZZ", status: "paid" })).status).toBe(404);
    expect((await call("POST", "/admin/api/pledges/status", { reference: ref, status: "refunded" })).json.error).toMatch(/status/);

    await app.turns.process({ channel: "webchat", messageId: "h1", conversationId: "w3", userId: "w3", payload: "flow:handoff" });
    await app.turns.process({ channel: "webchat", messageId: "h2", conversationId: "w3", userId: "w3", text: "Có biên lai không?" });
    expect((await call("GET", "/admin/api/handoffs")).json.handoffs).toEqual([expect.objectContaining({ channel: "webchat", conversationId: "w3", lang: "vi", question: "Có biên lai không?" })]);

    const audit = (await call("GET", "/admin/api/audit?limit=10")).json.entries.map((e: any) => `${e.actor} ${e.action} ${e.target ?? ""}`.trim());
    expect(audit).toEqual(expect.arrayContaining(["admin-api stats.view", "admin-api handoffs.view", `admin-api pledge.set_status ${ref}`]));
  });
});
