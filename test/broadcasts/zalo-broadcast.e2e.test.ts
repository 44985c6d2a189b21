import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer, startServices } from "../../src/server.ts";
import { FakeZalo } from "../support/fake-zalo.ts";
import { FakeZaloBot } from "../support/fake-zalo-bot.ts";
import { testApp } from "../support/test-app.ts";

const BOT_TOKEN = "zalo-bot-token-123456";

let zalo: FakeZalo;
let zaloBot: FakeZaloBot;

beforeAll(async () => {
  zalo = await new FakeZalo("4318005296214128567", "app-secret-for-oauth-refresh").start();
  zaloBot = await new FakeZaloBot(BOT_TOKEN).start();
});
afterAll(async () => {
  await zalo.stop();
  await zaloBot.stop();
});

describe("broadcasts on Zalo", () => {
  it("reaches OA followers and Zalo Bot chats once each; a user outside the 48-hour window is recorded, not retried", async () => {
    const app: App = await testApp({
      env: {
        ZALO_OA_APP_ID: zalo.appId,
        ZALO_OA_WEBHOOK_SECRET: "oa-secret-key-for-signatures",
        ZALO_APP_SECRET: zalo.appSecret,
        ZALO_OA_ACCESS_TOKEN: zalo.accessToken,
        ZALO_OA_REFRESH_TOKEN: zalo.refreshToken,
        ZALO_OA_API_ROOT: zalo.root,
        ZALO_OAUTH_ROOT: zalo.root,
        ZALO_BOT_TOKEN: BOT_TOKEN,
        ZALO_BOT_WEBHOOK_SECRET: "zalo-bot-secret",
        ZALO_BOT_API_ROOT: zaloBot.root,
        QUIET_HOURS: "off",
        BROADCAST_RATE_ZALO_OA: "50",
        BROADCAST_RATE_ZALO_BOT: "50",
      },
    });
    const http: HttpServer = buildServer(app);
    const services = await startServices(app, http);
    try {
      for (const u of ["oa-1", "oa-2", "oa-3"])
        await app.records.subscribers.setOptIn("zalo-oa", u, true, "vi", app.now());
      await app.records.subscribers.setOptIn("zalo-bot", "chat-1", true, "en", app.now());
      zalo.outsideWindow("oa-2");
      const s = app.broadcasts!;
      const b = await s.create(
        {
          title: "SMS",
          message: { key: "broadcast.sms_window" },
          buttons: [{ label: { key: "broadcast.pledge_button" }, payload: "flow:pledge" }],
          links: [{ label: { key: "broadcast.sms_button" }, url: "sms:1408?body=VNN%201" }],
          audience: {},
        },
        "test",
      );
      expect((await s.preview(b.id, "test")).recipients.byChannel).toEqual({ "zalo-bot": 1, "zalo-oa": 3 });
      await s.start(b.id, "test");
      for (let i = 0; i < 200 && (await s.report(b.id)).status !== "done"; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(await s.report(b.id)).toMatchObject({ status: "done", sent: 3, outsideWindow: 1, failed: 0 });

      const [oa1] = zalo.messages("oa-1");
      expect(zalo.messages("oa-1")).toHaveLength(1);
      expect(oa1.text).toContain("gửi 1408");
      expect(oa1.attachment.payload.buttons).toEqual([
        { title: "💝 Đăng ký ủng hộ", type: "oa.query.show", payload: "flow:pledge" },
        {
          title: "📱 Nhắn tin ủng hộ",
          type: "oa.open.sms",
          payload: { phone_code: "1408", content: "VNN 1" },
        },
      ]);
      expect(zalo.messages("oa-2")).toHaveLength(0);
      expect((await app.records.subscribers.get("zalo-oa", "oa-2"))?.unreachable).toBe("outside_window");
      const [botText] = zaloBot.texts("chat-1");
      expect(zaloBot.texts("chat-1")).toHaveLength(1);
      expect(botText).toContain("text “VNN n” to 1408"); // in the subscriber's language
      expect(botText).toContain("1. 💝 Pledge a donation"); // buttons as a numbered list, as in conversations
    } finally {
      await services.stop();
      await http.close();
      await app.close();
    }
  });
});
