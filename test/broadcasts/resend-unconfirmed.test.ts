import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { testApp } from "../support/test-app.ts";

const TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
const ADMIN = "admin-token-0123456789abcdef";

/**
 * A broadcast whose sender died mid-send leaves "unconfirmed" recipients. Staff can draft a
 * resend to exactly them: the draft counts only those still reachable, and sending it reaches
 * each of them once and nobody else.
 */
describe("resend to a broadcast's unconfirmed recipients", () => {
  let api: FakeTelegram;
  let app: Awaited<ReturnType<typeof testApp>>;
  let http: HttpServer;
  let services: { stop(): Promise<void> };
  let base = "";

  beforeAll(async () => {
    api = await new FakeTelegram(TOKEN).start();
    const dataDir = mkdtempSync(join(tmpdir(), "chungtay-resend-"));
    app = await testApp({
      dataDir,
      env: {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: "s3cret_webhook-token-0123456789",
        TELEGRAM_API_ROOT: api.root,
        STAFF_DIGEST_AT: "off",
        ADMIN_TOKEN: ADMIN,
        QUIET_HOURS: "off",
        BROADCAST_RATE_TELEGRAM: "0",
      },
    });
    for (const id of [1, 2, 3, 4, 5])
      await app.records.subscribers.setOptIn("telegram", String(id), true, id === 5 ? "en" : "vi", app.now());
    await app.records.subscribers.setOptIn("telegram", "3", false, "vi", app.now()); // opted out since
    // The earlier run: 1 and 4 got it, the sender died after calling Telegram for 2 and 3.
    const at = app.now().toISOString();
    await app.records.broadcasts.create({
      id: "bcdead00001",
      title: "Nhắc SMS",
      message: { text: { vi: "Nhắn tin ủng hộ nhé", en: "Give by SMS" } },
      buttons: [],
      links: [],
      audience: {},
      status: "done",
      createdBy: "staff:Lan",
      createdAt: at,
      updatedAt: at,
      queued: 4,
      expanded: true,
    });
    const lines = [
      ["telegram:1", "sent"],
      ["telegram:2", "sending"],
      ["telegram:3", "sending"],
      ["telegram:4", "sent"],
    ].map(([r, s]) => JSON.stringify(["bcdead00001", r, s]));
    appendFileSync(join(dataDir, "broadcast-deliveries.jsonl"), `${lines.join("\n")}\n`);

    http = buildServer(app);
    services = await startServices(app, http);
    base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
  });

  afterAll(async () => {
    await services?.stop();
    await http?.close();
    await app?.close();
    await api?.stop();
  });

  const call = async (method: string, path: string, body?: object) => {
    const res = await fetch(`${base}/admin/api/broadcasts${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json", "x-staff": "Lan" },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  };

  it("lists the unconfirmed, drafts a resend to them only, and sends it once each", async () => {
    const report = (await call("GET", "/bcdead00001")).json.report;
    expect(report).toMatchObject({ sent: 2, unconfirmed: 2 });
    expect((await call("GET", "/bcdead00001/problems")).json.recipients).toEqual([
      { channel: "telegram", userId: "2", lang: "vi", outcome: "unconfirmed" },
      { channel: "telegram", userId: "3", lang: "vi", outcome: "unconfirmed" },
    ]);

    const draft = (await call("POST", "/bcdead00001/resend")).json.broadcast;
    expect(draft).toMatchObject({
      status: "draft",
      title: "Nhắc SMS ↻",
      audience: { recipients: ["telegram:2", "telegram:3"] },
    });
    // 3 opted out since: only 2 would get it.
    expect((await call("GET", `/${draft.id}/preview`)).json.recipients).toMatchObject({ total: 1 });

    await call("POST", `/${draft.id}/start`);
    for (let i = 0; i < 200 && (await call("GET", `/${draft.id}`)).json.report.status !== "done"; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(api.sent().map((m) => [String(m.chat_id), m.text])).toEqual([["2", "Nhắn tin ủng hộ nhé"]]);

    // A broadcast with nobody unconfirmed has nothing to resend, said in the staff language.
    expect((await call("POST", `/${draft.id}/resend`)).json).toMatchObject({
      code: "nothing_to_resend",
      error: `tin ${draft.id} không có ai “chưa xác nhận”`,
    });
  });
});
