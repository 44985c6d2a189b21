import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZaloOaAdapter } from "../../src/channels/zalo-oa/zalo-oa-adapter.ts";
import { ZaloOaClient } from "../../src/channels/zalo-oa/zalo-oa-client.ts";
import { ZaloOaTokens } from "../../src/channels/zalo-oa/zalo-oa-tokens.ts";
import { RedisKeyValueStore } from "../../src/records/key-value-store.ts";
import { embeddedRecords } from "../../src/records/embedded-records.ts";
import { FakeZalo } from "../support/fake-zalo.ts";
import { servicesAvailable, startRedis } from "../support/services.ts";

const available = servicesAvailable("Zalo token refresh across processes");
const log = pino({ level: "silent" });
let redis: Awaited<ReturnType<typeof startRedis>>;
let zalo: FakeZalo;
const clients: Redis[] = [];

describe.runIf(available)("Zalo OA tokens shared by several processes (Redis)", () => {
  beforeAll(async () => {
    [redis, zalo] = await Promise.all([startRedis(), new FakeZalo("123456789", "app-secret-xyz").start()]);
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await Promise.all([redis.stop(), zalo.stop()]);
  });

  const tokens = () => {
    const client = new Redis(redis.url);
    clients.push(client);
    return new ZaloOaTokens(
      new RedisKeyValueStore(client, "zt:"),
      { accessToken: "access-token-0", refreshToken: "refresh-token-0" },
      { root: zalo.root, appId: "123456789", appSecret: "app-secret-xyz" },
      log,
    );
  };

  it("refreshes once when two processes find the token expired at the same moment; both use the new pair", async () => {
    const [a, b] = [tokens(), tokens()];
    zalo.expireAccessToken();
    const [ta, tb] = await Promise.all([a.refresh("access-token-0"), b.refresh("access-token-0")]);
    expect(ta).toBe("access-token-1");
    expect(tb).toBe("access-token-1");
    expect(zalo.calls.filter((c) => c.path === "/v4/oa/access_token")).toHaveLength(1);
    // A third process started later reads the stored pair, not the spent one from config.
    expect(await tokens().accessToken()).toBe("access-token-1");
  });

  it("sends proactive messages through continueConversation", async () => {
    const adapter = new ZaloOaAdapter(
      new ZaloOaClient(zalo.root, tokens(), embeddedRecords(null, "VNN").subscribers, log),
    );
    await adapter.continueConversation(
      {
        channelId: "zalo-oa",
        conversation: { id: "84999", isGroup: false, conversationType: "personal", name: "" },
        user: { id: "84999", name: "" },
        bot: { id: "oa", name: "" },
      },
      async (context) => {
        await context.sendActivity("Tháng cao điểm bắt đầu từ ngày mai.");
      },
    );
    expect(zalo.messages("84999").map((m) => m.text)).toEqual(["Tháng cao điểm bắt đầu từ ngày mai."]);
  });
});
