import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { Broadcasting } from "../../src/broadcasts/broadcasting.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import type { PledgeMethod } from "../../src/records/pledge.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { FakeTelegram } from "../support/fake-telegram.ts";
import { testApp } from "../support/test-app.ts";
import * as tg from "../telegram/telegram-updates.ts";

const TOKEN = "123456789:AAHtestTokenForTheFakeBotApi";
const SECRET = "s3cret_webhook-token-0123456789";

let api: FakeTelegram;
let app: App & { clock: { now: Date } };
let http: HttpServer;
let services: { broadcasting: Broadcasting; stop(): Promise<void> };
let base = "";

beforeAll(async () => {
  api = await new FakeTelegram(TOKEN).start();
});
afterAll(() => api.stop());
afterEach(() => shutdown());

async function boot(dataDir?: string): Promise<void> {
  app = await testApp({
    dataDir,
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: api.root,
      REMINDER_DELAY_HOURS: "72",
      REMINDER_MAX: "2",
      REMINDER_SWEEP_MS: "3600000",
    },
  });
  http = buildServer(app);
  services = await startServices(app, http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

async function shutdown(): Promise<void> {
  await services?.stop();
  await http?.close();
  await app?.close();
}

async function deliver(update: object): Promise<void> {
  const res = await fetch(`${base}/webhooks/telegram`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify(update),
  });
  expect(res.status).toBe(200);
}

const at = (iso: string) => (app.clock.now = new Date(iso));
const sweep = () => services.broadcasting.reminders.sweep();
const remindedChats = (from: number) =>
  api
    .sent()
    .slice(from)
    .map((m) => String(m.chat_id))
    .sort();

async function pledge(user: number, method: PledgeMethod): Promise<string> {
  const { pledge: p } = await app.records.pledges.create({
    idempotencyKey: `r${user}`,
    amount: 200_000,
    method,
    channel: "telegram",
    conversationId: String(user),
    userKey: `telegram:${user}`,
  });
  return p.reference;
}

describe("payment reminders for unpaid pledges", () => {
  it("reminds those who accepted messages after the delay, at most REMINDER_MAX times, never in quiet hours or after opt-out, stops when paid or cancelled, and survives a restart", async () => {
    await boot();
    const dataDir = app.config.DATA_DIR;
    const refA = await pledge(901, "transfer");
    await pledge(902, "cash");
    await pledge(903, "payroll");
    await pledge(904, "sms");
    await pledge(906, "cash"); // declined the pledge flow's offer of messages: no subscriber record
    for (const user of ["901", "902", "904"])
      await app.records.subscribers.setOptIn("telegram", user, true, "vi", app.now()); // said yes to the offer
    await app.records.subscribers.setOptIn("telegram", "903", true, "vi", app.now());
    await app.records.subscribers.setOptIn("telegram", "903", false, "vi", app.now()); // later said "stop messages"

    at("2019-10-21T10:00:00+07:00"); // a day later: nothing due
    expect(await sweep()).toBe(0);

    at("2019-10-23T09:00:01+07:00"); // three days after the pledges
    let mark = api.sent().length;
    expect(await sweep()).toBe(3);
    expect(remindedChats(mark)).toEqual(["901", "902", "904"]);
    const first = api.sent(901)[0]!;
    expect(first.text).toContain(refA);
    expect(first.text).toContain("200.000");
    expect(first.text).toContain("chưa có số tài khoản nào được công bố"); // no bank account is invented
    expect(first.reply_markup.inline_keyboard.flat().map((b: any) => b.callback_data)).toEqual([
      `flow:pledge_paid@${refA.toLowerCase()}`,
      `flow:pledge_cancel@${refA.toLowerCase()}`,
    ]);
    // An SMS pledge gets the messages to send for its amount (the pledge flow's own instructions).
    expect(api.sent(904)[0]!.text).toMatch(/gửi tới 1408:\s+• 1 tin “VNN 10”/);
    expect(
      api
        .sent(904)[0]!
        .reply_markup.inline_keyboard.flat()
        .map((b: any) => b.callback_data),
    ).toEqual([
      expect.stringMatching(/^flow:pledge_paid@vnn-/),
      expect.stringMatching(/^flow:pledge_cancel@vnn-/),
    ]);
    expect(await sweep()).toBe(0); // a second sweep at once sends nothing twice

    // 902 presses "I have paid" and confirms; 904 cancels.
    const p902 = { id: 902 };
    const ref902 = (await app.records.pledges.listByUser("telegram:902"))[0]!.reference;
    await deliver(tg.press(p902, `flow:pledge_paid@${ref902.toLowerCase()}`));
    expect(api.sent(902).at(-1)!.text).toContain(ref902);
    await deliver(tg.press(p902, "v:yes"));
    expect(api.sent(902).at(-1)!.text).toContain("đã nộp");
    expect((await app.records.pledges.findByReference(ref902))?.status).toBe("paid");
    const ref904 = (await app.records.pledges.listByUser("telegram:904"))[0]!.reference;
    await deliver(tg.press({ id: 904 }, `flow:pledge_cancel@${ref904.toLowerCase()}`));
    await deliver(tg.text({ id: 904 }, "có"));
    expect((await app.records.pledges.findByReference(ref904))?.status).toBe("cancelled");
    // Someone else's reference does nothing.
    await deliver(tg.press({ id: 905 }, `flow:pledge_paid@${refA.toLowerCase()}`));
    expect(api.sent(905).at(-1)!.text).toContain("không phải của bạn");
    expect((await app.records.pledges.findByReference(refA))?.status).toBe("pledged");

    at("2019-10-26T22:00:00+07:00"); // due again, but in quiet hours
    expect(await sweep()).toBe(0);
    at("2019-10-27T07:00:00+07:00");
    mark = api.sent().length;
    expect(await sweep()).toBe(1);
    expect(remindedChats(mark)).toEqual(["901"]); // paid and cancelled ones are not reminded

    // A restart on the same data: the maximum (2) is remembered.
    await shutdown();
    await boot(dataDir);
    at("2019-11-05T09:00:00+07:00");
    expect(await sweep()).toBe(0);
    expect((await app.records.pledges.findByReference(refA))?.reminders).toBe(2);
  });

  it("checks quiet hours before each reminder, and counts only reminders that were sent", async () => {
    await boot();
    await pledge(924, "cash"); // no subscriber record: claimed and skipped first, not counted as sent
    const refs = [await pledge(921, "cash"), await pledge(922, "cash"), await pledge(923, "cash")];
    for (const user of ["921", "922", "923"])
      await app.records.subscribers.setOptIn("telegram", user, true, "vi", app.now());
    // The sweep starts at 20:58:30; each reminder that goes out takes the clock a minute on, so
    // the third would go out at 21:00:30, in quiet hours (21:00–07:00).
    const start = new Date("2019-10-23T20:58:30+07:00").getTime();
    const mark = api.sent().length;
    Object.defineProperty(app.clock, "now", {
      configurable: true,
      get: () => new Date(start + (api.sent().length - mark) * 60_000),
      set: () => undefined,
    });
    expect(await sweep()).toBe(2);
    expect(remindedChats(mark)).toEqual(["921", "922"]);
    const sentCounts = await Promise.all(
      refs.map(async (r) => (await app.records.pledges.findByReference(r))?.remindersSent ?? 0),
    );
    expect(sentCounts).toEqual([1, 1, 0]);
    const skipped = (await app.records.pledges.listByUser("telegram:924"))[0]!;
    expect(skipped.reminders).toBe(1); // claimed, so the sweep moved on
    expect(skipped.remindersSent ?? 0).toBe(0);
  });
});
