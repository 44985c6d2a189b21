import { describe, expect, it, onTestFinished } from "vitest";
import type { Inbound } from "../../src/engine/inbound.ts";
import { loadCorpus } from "../../src/nlu/corpus.ts";
import { testApp } from "../support/test-app.ts";

/**
 * Whatever people send, in whatever order, the engine never fails a turn: examples of every intent,
 * payloads, commands, amounts, odd and huge texts and photos, sent at random by 20 people into
 * each other's half-finished flows. A failed turn answers with the "something went wrong" copy,
 * which is what this looks for. Seeded, so a failure replays.
 */
describe("random turns", () => {
  // During the SMS drive, and after it (where a flow sends SMS answers back to the method question).
  it.each(["2019-10-20", "2026-11-29"])(
    "never fail, over 1,500 turns from 20 people, on %s",
    async (today) => {
      const app = await testApp({ today });
      onTestFinished(() => app.close());
      // Every tenth example of every intent (nlu/intents), and the texts below.
      const said = [
        ...loadCorpus("nlu")
          .filter((_, i) => i % 10 === 0)
          .map((e) => e.text),
        ...[
          "500k",
          "1 000 000",
          "có",
          "không",
          "đừng",
          "dung",
          "1",
          "9",
          "👍",
          "?",
          " ",
          "hủy",
          "quay lại",
          "menu",
          "English",
          "Tiếng Việt",
          "0912345678",
          "tên tôi là Lan",
          "bỏ qua",
          "xác nhận",
          "sửa",
          "VNN-ABCDEF",
        ],
        ...[
          "a".repeat(3000),
          "💵".repeat(50),
          "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
          "tôi tên Lan, sđt 0912345678, ủng hộ 500k tiền mặt",
          "đổi thành 1 triệu",
          "$50",
          "1 ngày lương",
          "50 tỷ",
        ],
        ...[
          "mình nhắn tin ạ",
          "nhận tin chiến dịch",
          "500k tiền mặt",
          "Lan 0912345678",
          "sửa số tiền thành 1 triệu",
          "đổi sang chuyển khoản",
          "500",
          "tôi không muốn ủng hộ",
        ],
      ];
      const pressed = [
        "flow:pledge",
        "flow:pledge_paid@vnn-abcdef",
        "flow:pledge_cancel",
        "flow:change_pledge",
        "flow:sms",
        "v:yes",
        "v:no",
        "v:confirm",
        "v:edit",
        "v:skip",
        "cmd:resume",
        "cmd:back",
        "faq:how_to_donate",
      ];
      const failed = [app.engine.text("common.error", "vi"), app.engine.text("common.error", "en")];
      let seed = 20261130;
      const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      const failures: string[] = [];
      for (let i = 0; i < 1500; i++) {
        const user = `u${random(20)}`;
        const inbound: Inbound = { channel: "test", messageId: `m${i}`, conversationId: user, userId: user };
        const roll = random(100);
        if (roll < 20) inbound.payload = pressed[random(pressed.length)];
        else if (roll < 23) inbound.unsupported = "photo";
        else inbound.text = said[random(said.length)];
        const { replies } = await app.turns.process(inbound);
        if (replies.some((r) => failed.includes(r.text)))
          failures.push(
            `turn ${i} (${user}): ${JSON.stringify(inbound.payload ?? inbound.text ?? inbound.unsupported).slice(0, 60)}`,
          );
      }
      expect(failures).toEqual([]);
    },
    // 1,500 turns, each written to disk (sessions are files by default): slow disks need time.
    60_000,
  );
});
