import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.ts";
import { ZaloOaChannel } from "../../src/channels/zalo-oa/zalo-oa-channel.ts";
import type { HttpServer } from "../../src/http/http-server.ts";
import { buildServer } from "../../src/server.ts";
import { FakeZalo } from "../support/fake-zalo.ts";
import { testApp } from "../support/test-app.ts";

const APP_ID = "4318005296214128567";
const WEBHOOK_SECRET = "oa-secret-key-for-signatures";
const APP_SECRET = "app-secret-for-oauth-refresh";
const OA_ID = "579745863508352884";

let zalo: FakeZalo;
let app: App & { clock: { now: Date } };
let http: HttpServer;
let channel: ZaloOaChannel;
let base = "";
let msg = 0;

async function boot(): Promise<void> {
  app = await testApp({
    env: {
      ZALO_OA_APP_ID: APP_ID,
      ZALO_OA_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ZALO_APP_SECRET: APP_SECRET,
      ZALO_OA_ACCESS_TOKEN: zalo.accessToken,
      ZALO_OA_REFRESH_TOKEN: zalo.refreshToken,
      ZALO_OA_API_ROOT: zalo.root,
      ZALO_OAUTH_ROOT: zalo.root,
    },
  });
  http = buildServer(app);
  channel = new ZaloOaChannel(app);
  channel.mount(http);
  base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
}

/** Posts an event signed as Zalo signs it; returns the HTTP status. */
async function post(
  event: Record<string, unknown>,
  sign: (raw: string, timestamp: string) => string | null = defaultMac,
): Promise<number> {
  const raw = JSON.stringify(event);
  const mac = sign(raw, String(event.timestamp));
  const res = await fetch(`${base}/webhooks/zalo-oa`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(mac === null ? {} : { "x-zevent-signature": mac }) },
    body: raw,
  });
  await res.text();
  await channel.idle();
  return res.status;
}

function defaultMac(raw: string, timestamp: string): string {
  return `mac=${createHash("sha256")
    .update(APP_ID + raw + timestamp + WEBHOOK_SECRET)
    .digest("hex")}`;
}

const now = () => String(app.clock.now.getTime());
const text = (user: string, body: string, msgId = `msg-${++msg}`) => ({
  event_name: "user_send_text",
  app_id: APP_ID,
  sender: { id: user },
  recipient: { id: OA_ID },
  message: { text: body, msg_id: msgId },
  timestamp: now(),
  user_id_by_app: `app-${user}`,
});

/** Sends text as `user`; returns what the OA sent back to them. */
async function say(user: string, body: string): Promise<string> {
  const before = zalo.messages(user).length;
  expect(await post(text(user, body))).toBe(200);
  return zalo
    .messages(user)
    .slice(before)
    .map((m) => m.text)
    .join("\n---\n");
}

const lastButtons = (user: string) => zalo.messages(user).at(-1)?.attachment?.payload?.buttons ?? [];

beforeAll(async () => {
  zalo = await new FakeZalo(APP_ID, APP_SECRET).start();
});
afterAll(async () => {
  await zalo.stop();
});
afterEach(async () => {
  await http.close();
  await app.close();
});

describe("Zalo OA channel (botbuilder adapter against a fake Zalo API)", () => {
  it("takes a full pledge in Vietnamese, with template buttons whose payloads come back as text", async () => {
    await boot();
    const user = "8400000000000000001";
    expect(await say(user, "xin chào")).toContain("Xin chào");
    expect(lastButtons(user).map((b: any) => b.type)).toContain("oa.query.show");
    // A pressed oa.query.show button arrives as user_send_text whose text is the payload.
    expect(await say(user, "flow:pledge")).toContain("bao nhiêu tiền");
    expect(await say(user, "500k")).toContain("500.000 đ");
    await say(user, "v:cash");
    await say(user, "v:yes");
    await say(user, "Nguyễn Văn An");
    // user_submit_info (from a request_user_info template) gives the phone.
    const before = zalo.messages(user).length;
    expect(
      await post({
        event_name: "user_submit_info",
        app_id: APP_ID,
        sender: { id: user },
        recipient: { id: OA_ID },
        info: { name: "Nguyễn Văn An", phone: "0912345678" },
        timestamp: now(),
      }),
    ).toBe(200);
    expect(
      zalo
        .messages(user)
        .slice(before)
        .map((m) => m.text)
        .join(),
    ).toContain("cơ quan, đơn vị");
    await say(user, "bỏ qua");
    expect(await say(user, "bỏ qua")).toContain("0912 345 678");
    expect(await say(user, "v:confirm")).toMatch(/Mã ủng hộ của bạn: VNN-[0-9A-Z]{6}/);
    expect(await app.records.pledges.listByUser(`zalo-oa:${user}`)).toEqual([
      expect.objectContaining({ amount: 500_000, method: "cash", phone: "+84912345678", channel: "zalo-oa" }),
    ]);
    for (const call of zalo.calls.filter((c) => c.path === "/v3.0/oa/message/cs"))
      expect(call.headers.access_token).toBeTruthy();
  });

  it("answers the FAQ and gives SMS guidance with an oa.open.sms button", async () => {
    await boot();
    app.clock.now = new Date("2019-10-20T09:00:00+07:00");
    const user = "8400000000000000002";
    expect(await say(user, "ung ho ntn")).toContain("chuyển khoản");
    await say(user, "flow:sms_guidance");
    const before = zalo.messages(user).length;
    expect(await say(user, "500k")).toContain("VNN 25");
    const buttons = zalo
      .messages(user)
      .slice(before)
      .flatMap((m) => m.attachment?.payload?.buttons ?? []);
    expect(buttons).toContainEqual({
      title: "VNN 25 → 1408",
      type: "oa.open.sms",
      payload: { phone_code: "1408", content: "VNN 25" },
    });
  });

  it("refuses bad or missing signatures, foreign app ids and stale timestamps with 401, processing nothing", async () => {
    await boot();
    const calls = zalo.calls.length;
    const event = text("8400000000000000003", "menu");
    expect(await post(event, () => null)).toBe(401);
    expect(await post(event, () => "mac=" + "0".repeat(64))).toBe(401);
    expect(
      await post(
        event,
        (raw, ts) =>
          `mac=${createHash("sha256")
            .update(APP_ID + raw + ts + "wrong-secret")
            .digest("hex")}`,
      ),
    ).toBe(401);
    expect(
      await post(
        { ...event, app_id: "999" },
        (raw, ts) =>
          `mac=${createHash("sha256")
            .update("999" + raw + ts + WEBHOOK_SECRET)
            .digest("hex")}`,
      ),
    ).toBe(401);
    expect(await post({ ...event, timestamp: String(app.clock.now.getTime() - 3_600_000) })).toBe(401);
    expect(zalo.calls.length).toBe(calls);
  });

  it("ignores a repeated msg_id", async () => {
    await boot();
    const user = "8400000000000000004";
    const event = text(user, "menu", "dup-1");
    await post(event);
    const after = zalo.messages(user).length;
    expect(after).toBeGreaterThan(0);
    expect(await post({ ...event, timestamp: now() })).toBe(200);
    expect(zalo.messages(user).length).toBe(after);
  });

  it("refreshes an expired token mid-conversation, saving the single-use refresh token", async () => {
    await boot();
    const user = "8400000000000000005";
    await say(user, "flow:pledge");
    zalo.expireAccessToken();
    expect(await say(user, "200k")).toContain("200.000 đ");
    expect(zalo.calls.filter((c) => c.path === "/v4/oa/access_token")).toHaveLength(1);
    expect(zalo.calls.find((c) => c.path === "/v4/oa/access_token")!.headers.secret_key).toBe(APP_SECRET);
    // The new pair is stored: after a restart the bot uses it, not the spent refresh token from config.
    zalo.expireAccessToken();
    expect(await say(user, "v:cash")).toContain("Bạn có đồng ý");
    expect(zalo.calls.filter((c) => c.path === "/v4/oa/access_token" && c.error === undefined)).toHaveLength(
      2,
    );
  });

  it("records a user outside the 7-day window without retrying, and clears it when they write again", async () => {
    await boot();
    const user = "8400000000000000006";
    await post({
      event_name: "follow",
      app_id: APP_ID,
      oa_id: OA_ID,
      follower: { id: user },
      timestamp: now(),
    });
    zalo.calls.length = 0;
    zalo.outsideWindow(user);
    // A proactive message (as a broadcast would send) to someone whose window has closed:
    await channel.adapter.continueConversation(
      {
        channelId: "zalo-oa",
        conversation: { id: user, isGroup: false, conversationType: "personal", name: "" },
        user: { id: user, name: "" },
        bot: { id: OA_ID, name: "" },
      },
      async (context) => {
        await context.sendActivity("Nhắc nhở");
      },
    );
    expect((await app.records.subscribers.get("zalo-oa", user))?.unreachable).toBe("outside_window");
    const attempts = zalo.calls.filter(
      (c) => c.path === "/v3.0/oa/message/cs" && c.body.recipient.user_id === user,
    );
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.error).toBe(-230);
    zalo.reopenWindow(user);
    await post(text(user, "menu"));
    expect((await app.records.subscribers.get("zalo-oa", user))?.unreachable).toBeUndefined();
    expect(zalo.messages(user).length).toBeGreaterThan(0);
  });

  it("backs off and retries on -32; records -213 (not following) without retrying", async () => {
    await boot();
    const user = "8400000000000000009";
    zalo.failNextSend(-32);
    await post(text(user, "menu"));
    const attempts = zalo.calls.filter(
      (c) => c.path === "/v3.0/oa/message/cs" && c.body.recipient.user_id === user,
    );
    // The first send is refused with -32 and retried; the menu's 10 buttons take two messages.
    expect(attempts.map((c) => c.error)).toEqual([-32, 0, 0]);
    // A subscriber who stopped following (the unfollow event was missed): -213.
    const other = "8400000000000000010";
    await post({
      event_name: "follow",
      app_id: APP_ID,
      oa_id: OA_ID,
      follower: { id: other },
      timestamp: now(),
    });
    const sent = zalo.calls.length;
    zalo.failNextSend(-213);
    await post(text(other, "menu"));
    expect(
      zalo.calls
        .slice(sent)
        .filter((c) => c.path === "/v3.0/oa/message/cs")
        .map((c) => c.error),
    ).toEqual([-213]);
    expect(await app.records.subscribers.get("zalo-oa", other)).toMatchObject({
      unreachable: "not_following",
      blocked: false,
    });
  }, 15_000);

  it("keeps one user's turns in arrival order although they run after the 200", async () => {
    await boot();
    const user = "8400000000000000011";
    // Five events, each sent as soon as the previous one is acknowledged (200 comes before its
    // turn runs), so several turns are pending at once.
    for (const t of ["flow:pledge", "300k", "v:cash", "v:no", "v:confirm"]) {
      const e = text(user, t);
      const res = await fetch(`${base}/webhooks/zalo-oa`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-zevent-signature": defaultMac(JSON.stringify(e), String(e.timestamp)),
        },
        body: JSON.stringify(e),
      });
      expect(res.status).toBe(200);
    }
    await channel.idle();
    expect(await app.records.pledges.listByUser(`zalo-oa:${user}`)).toEqual([
      expect.objectContaining({ amount: 300_000, method: "cash" }),
    ]);
  });

  it("greets and records a follower; an unfollow opts them out", async () => {
    await boot();
    const user = "8400000000000000007";
    expect(
      await post({
        event_name: "follow",
        app_id: APP_ID,
        oa_id: OA_ID,
        follower: { id: user },
        timestamp: now(),
        source: "oa_profile",
      }),
    ).toBe(200);
    expect(
      zalo
        .messages(user)
        .map((m) => m.text)
        .join(),
    ).toContain("Xin chào");
    expect(await app.records.subscribers.get("zalo-oa", user)).toMatchObject({ optedIn: true });
    await post({
      event_name: "unfollow",
      app_id: APP_ID,
      oa_id: OA_ID,
      follower: { id: user },
      timestamp: now(),
    });
    expect(await app.records.subscribers.get("zalo-oa", user)).toMatchObject({ optedIn: false });
  });

  it("answers images and stickers briefly, acknowledges unknown events, and splits long texts under 2,000", async () => {
    await boot();
    const user = "8400000000000000008";
    await post({
      event_name: "user_send_image",
      app_id: APP_ID,
      sender: { id: user },
      recipient: { id: OA_ID },
      message: { msg_id: "img-1", attachments: [{ type: "image", payload: { url: "https://x" } }] },
      timestamp: now(),
    });
    expect(zalo.messages(user).at(-1)?.text).toContain("Nếu đó là ảnh chuyển khoản"); // user_send_image is a photo too
    expect(
      await post({
        event_name: "user_reacted_message",
        app_id: APP_ID,
        sender: { id: user },
        recipient: { id: OA_ID },
        timestamp: now(),
      }),
    ).toBe(200);
    for (let i = 0; i < 40; i++)
      await app.records.pledges.create({
        idempotencyKey: `z${i}`,
        amount: 100_000 + i,
        method: "cash",
        channel: "zalo-oa",
        conversationId: user,
        userKey: `zalo-oa:${user}`,
      });
    const before = zalo.messages(user).length;
    await post(text(user, "flow:my_pledges"));
    const parts = zalo.messages(user).slice(before);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(2000);
    expect(
      parts
        .map((p) => p.text)
        .join()
        .match(/VNN-/g),
    ).toHaveLength(40);
  });
});
