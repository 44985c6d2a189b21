import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { loadFlowBundle } from "../../src/engine/flow-loader.ts";
import { LANGUAGES, allStrings } from "../../src/engine/locales.ts";
import { campaignToday } from "../../src/engine/campaign-today.ts";
import { Renderer } from "../../src/engine/renderer.ts";

/**
 * The renderer fills most copy from templates compiled once instead of calling i18next on
 * every turn; for every key in both languages, with values present and absent, the text must
 * be exactly what i18next itself renders.
 */
describe("compiled copy templates", () => {
  it("render every locale key exactly as i18next does", async () => {
    const bundle = loadFlowBundle(resolve("flows"), resolve("locales"), ACTION_NAMES);
    const renderer = await Renderer.create(bundle.locales, bundle.campaign);
    const item = {
      reference: "VNN-7K3M9Q",
      amount: 1_500_000,
      method: "cash",
      status: "pledged",
      date: "20/10/2019",
      bank: "Ngân hàng A",
      account_number: "0123",
      account_name: "Quỹ",
      note: "VNN-7K3M9Q ung ho",
      count: 2,
      body: "VNN 100",
      value: 2_000_000,
    };
    const rich = {
      slots: {
        amount: 500_000,
        name: "Nguyễn Văn An",
        phone: "+84912345678",
        ward: "",
        organisation: "LĐLĐ",
        method: "transfer",
      },
      vars: {
        reference: "VNN-7K3M9Q",
        pledge_count: 2,
        sms_total: 5_000_000,
        sms_messages: 3,
        pledge: { reference: "VNN-7K3M9Q", amount: 200_000 },
        forgot_pledges: 1,
      },
      session: { lang: "vi" },
      item,
      amount: 200_000,
      reference: "VNN-7K3M9Q",
      date: "20/10/2019",
      id: "bc01",
      title: "Tháng cao điểm",
      status: "đang gửi",
      queued: 10,
      sent: 9,
      failed: 1,
      total: 3,
      problem: "x",
      outcome: "sent",
      command: "/bc",
      at: "2019-10-21 08:00",
      today: { count: 1, amount: 100_000 },
      all: { count: 3, amount: 900_000 },
      byMethod: "• a",
      byOrganisation: "• b",
      name: "Tiền mặt",
      count: 2,
    };
    // Before, during and after the campaign, with and without a staff channel.
    const days = ["2019-08-01", "2019-10-20", "2026-12-03"].map((day, i) => ({
      now: campaignToday(bundle.campaign, new Date(`${day}T09:00:00+07:00`)),
      setup: { staff: i % 2 ? "here" : "direct" },
    }));
    let compared = 0;
    for (const lang of LANGUAGES) {
      for (const [key] of allStrings(bundle.locales[lang])) {
        const nulls = {
          ...rich,
          slots: Object.fromEntries(Object.keys(rich.slots).map((k) => [k, null])),
          amount: null,
          campaign: renderer.campaignView(lang),
        };
        for (const values of [
          { ...rich, campaign: renderer.campaignView(lang) },
          // Today's state and the setup pick nested copy ($t(dates.sms.{{now.sms}})), in every state.
          ...days.map((now) => ({ ...rich, ...now, campaign: renderer.campaignView(lang) })),
          nulls,
          { campaign: renderer.campaignView(lang) },
          {},
        ]) {
          expect(renderer.text(key, lang, values), `${lang}:${key}`).toBe(
            renderer.reference(key, lang, values),
          );
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1200);
  });

  it("start every sentence with a capital once campaign facts are filled in", async () => {
    // Facts are written to sit mid-sentence ("the city Vietnam Fatherland Front Committee"):
    // copy that opens with one read "the city … leads" to English speakers.
    const bundle = loadFlowBundle(resolve("flows"), resolve("locales"), ACTION_NAMES);
    const renderer = await Renderer.create(bundle.locales, bundle.campaign);
    const lowercase: string[] = [];
    for (const lang of LANGUAGES) {
      for (const [key, raw] of allStrings(bundle.locales[lang])) {
        if (!raw.startsWith("{{campaign.")) continue;
        const text = renderer.text(key, lang, { campaign: renderer.campaignView(lang) });
        if (/^\p{Ll}/u.test(text)) lowercase.push(`${lang}:${key}: ${text.slice(0, 40)}`);
      }
    }
    expect(lowercase).toEqual([]);
  });

  it("never say a word twice in a row once campaign facts are filled in", async () => {
    // "the {{campaign.fund_name}}" read "the the “For the Poor” fund" in English.
    const bundle = loadFlowBundle(resolve("flows"), resolve("locales"), ACTION_NAMES);
    const renderer = await Renderer.create(bundle.locales, bundle.campaign);
    const doubled: string[] = [];
    for (const lang of LANGUAGES) {
      for (const [key] of allStrings(bundle.locales[lang])) {
        const text = renderer.text(key, lang, { campaign: renderer.campaignView(lang) });
        const twice = /(?<![\p{L}\p{M}])([\p{L}\p{M}]+)\s+\1(?![\p{L}\p{M}])/iu.exec(text);
        if (twice) doubled.push(`${lang}:${key}: ${twice[0]}`);
      }
    }
    expect(doubled).toEqual([]);
  });
});
