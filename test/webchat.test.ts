import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Reply } from "../src/engine/reply.ts";
import type { HttpServer } from "../src/http/http-server.ts";
import { buildServer } from "../src/server.ts";
import { testApp } from "./support/test-app.ts";

const running: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function serve(dataDir?: string): Promise<{ base: string; dataDir: string }> {
  const app = await testApp({ dataDir });
  const http: HttpServer = buildServer(app);
  const port = await http.listen(0, "127.0.0.1");
  running.push(http, app);
  return { base: `http://127.0.0.1:${port}`, dataDir: app.config.DATA_DIR };
}

/** A user id issued by the server, as the page gets one. */
async function newId(base: string): Promise<string> {
  const res = await fetch(`${base}/webchat/session`, { method: "POST" });
  expect(res.status).toBe(200);
  return ((await res.json()) as { userId: string }).userId;
}

async function post(
  base: string,
  body: object,
): Promise<{
  status: number;
  json: { duplicate?: boolean; replies?: Reply[]; error?: string; lang?: string; waiting?: boolean };
}> {
  const res = await fetch(`${base}/webchat/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe("web chat over HTTP", () => {
  it("serves a Vietnamese page with the chat script", async () => {
    const { base } = await serve();
    const res = await fetch(`${base}/`);
    const html = await res.text();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain("Quỹ “Vì người nghèo” thành phố Cần Thơ"); // campaign facts in the title
    expect(html).toContain("Type a message…"); // both languages' labels: the page follows the conversation
    const script = await fetch(`${base}/webchat/webchat.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("/webchat/messages");
    expect((await fetch(`${base}/webchat/logo.svg`)).headers.get("content-type")).toBe("image/svg+xml");
  });

  it("keeps a pledge in progress across a restart (sessions on disk by default)", async () => {
    const first = await serve();
    const userId = await newId(first.base);
    const say = async (base: string, m: { text?: string; payload?: string }) =>
      (await post(base, { userId, messageId: randomUUID(), ...m })).json;
    await say(first.base, { payload: "flow:pledge" });
    const asked = await say(first.base, { text: "1 triệu" });
    expect(asked).toMatchObject({ lang: "vi", waiting: true });
    const question = asked.replies!.at(-1)!;

    const second = await serve(first.dataDir);
    const resumed = await say(second.base, { payload: "cmd:resume" });
    expect(resumed).toMatchObject({ waiting: true, replies: [question] });
  });

  it("takes a pledge, ignores a repeated message id, and finds the pledge after a restart", async () => {
    const first = await serve();
    const userId = await newId(first.base);
    const say = async (base: string, m: { text?: string; payload?: string }, messageId = randomUUID()) =>
      (await post(base, { userId, messageId, ...m })).json;

    await say(first.base, { payload: "flow:pledge" });
    await say(first.base, { text: "1 triệu" });
    await say(first.base, { payload: "v:cash" });
    await say(first.base, { payload: "v:no" });
    const confirmId = randomUUID();
    const saved = await say(first.base, { payload: "v:confirm" }, confirmId);
    const reference = /VNN-[0-9A-Z]{6}/.exec(saved.replies!.map((r) => r.text).join(" "))?.[0];
    expect(reference).toBeDefined();
    const again = await say(first.base, { payload: "v:confirm" }, confirmId);
    expect(again).toEqual({ duplicate: true, replies: [] });

    const second = await serve(first.dataDir);
    const mine = await say(second.base, { payload: "flow:my_pledges" });
    const text = mine.replies!.map((r) => r.text).join("\n");
    expect(text).toContain("Bạn có 1 khoản ủng hộ");
    expect(text).toContain(reference!);
  });

  it("refuses malformed messages with a clear error", async () => {
    const { base } = await serve();
    expect(await post(base, { userId: "short" })).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/userId/) },
    });
    const bad = await fetch(`${base}/webchat/messages`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
  });

  it("answers health and readiness", async () => {
    const { base } = await serve();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      ready: true,
      stores: { sessions: "file: up", records: "embedded: up" },
      outbox: 0,
    });
  });

  it("accepts only ids it issued, and limits messages per IP and new ids per minute", async () => {
    const app = await testApp({
      env: { WEBCHAT_MESSAGES_PER_MIN: "5", WEBCHAT_SESSIONS_PER_IP_PER_MIN: "3" },
    });
    const http = buildServer(app);
    const base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
    running.push(http, app);
    // An id the client made up (right shape, wrong signature) starts no session.
    const forged = `w${"A".repeat(44)}`;
    expect(await post(base, { userId: forged, messageId: randomUUID(), text: "xin chào" })).toMatchObject({
      status: 401,
    });
    const inbox = await fetch(`${base}/webchat/inbox?userId=${forged}`);
    expect(inbox.status).toBe(401);
    // Three new ids a minute from one address, then 429 with when to try again.
    const ids = [await newId(base), await newId(base), await newId(base)];
    const fourth = await fetch(`${base}/webchat/session`, { method: "POST" });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(0);
    // Five messages a minute from one address (the forged one counted), then 429.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await post(base, { userId: ids[0]!, messageId: randomUUID(), text: "menu" })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it("keeps the session of a one-message conversation an hour, not 30 days", async () => {
    const app = await testApp();
    const http = buildServer(app);
    const base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
    running.push(http, app);
    const once = await newId(base);
    const twice = await newId(base);
    await post(base, { userId: once, messageId: randomUUID(), text: "xin chào" });
    await post(base, { userId: twice, messageId: randomUUID(), text: "xin chào" });
    await post(base, { userId: twice, messageId: randomUUID(), payload: "lang:en" });
    app.clock.now = new Date(app.clock.now.getTime() + 2 * 3_600_000);
    const session = async (id: string) => {
      const lease = await app.store.acquire(`webchat:${id}`, `peek-${randomUUID()}`);
      await app.store.release(lease!, null);
      return lease!.session;
    };
    expect(await session(once)).toBeNull();
    expect(await session(twice)).not.toBeNull();
  });
});
