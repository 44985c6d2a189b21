import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { setupOf } from "../../src/app.ts";
import { loadConfig } from "../../src/config/config.ts";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { CampaignClock, campaignToday } from "../../src/engine/campaign-today.ts";
import { loadFlowBundle } from "../../src/engine/flow-loader.ts";

const { campaign } = loadFlowBundle(resolve("flows"), resolve("locales"), ACTION_NAMES);
/** A moment in Vietnam time. */
const at = (local: string) => new Date(`${local}+07:00`);

describe("the campaign as it stands on a day in Vietnam", () => {
  it("tells each dated period before, during (both end days included) and after", () => {
    expect(campaignToday(campaign, at("2019-10-16T23:59:00")).peak_month).toBe("before");
    expect(campaignToday(campaign, at("2019-10-17T00:00:00")).peak_month).toBe("during");
    expect(campaignToday(campaign, at("2019-11-18T23:59:00")).peak_month).toBe("during");
    expect(campaignToday(campaign, at("2019-11-19T00:00:00")).peak_month).toBe("after");
    expect(campaignToday(campaign, at("2019-08-18T12:00:00")).sms).toBe("before");
    expect(campaignToday(campaign, at("2019-12-31T23:30:00")).sms).toBe("during");
  });

  it("reads the day in Vietnam, not in UTC", () => {
    // 17:30 UTC on 31/12 is already 1/1 in Vietnam: the SMS drive has ended there.
    expect(campaignToday(campaign, new Date("2019-12-31T17:30:00Z")).sms).toBe("after");
    expect(campaignToday(campaign, new Date("2019-12-31T16:30:00Z")).sms).toBe("during");
  });

  it("says the campaign is over only once every date has passed", () => {
    expect(campaignToday(campaign, at("2019-08-01T09:00:00")).campaign).toBe("before");
    expect(campaignToday(campaign, at("2019-11-25T09:00:00")).campaign).toBe("running");
    expect(campaignToday(campaign, at("2026-12-03T09:00:00")).campaign).toBe("over");
  });

  it("keeps pledges open after the peak month unless staff set a closing day", () => {
    expect(campaignToday(campaign, at("2026-12-03T09:00:00")).pledges).toBe("open");
    const closing = { ...campaign, pledge: { ...campaign.pledge, closes: "2019-11-18" } };
    expect(campaignToday(closing, at("2019-11-18T20:00:00")).pledges).toBe("open");
    expect(campaignToday(closing, at("2019-11-19T08:00:00")).pledges).toBe("closed");
    // A closing day later than every other date keeps the campaign running until it.
    const late = { ...campaign, pledge: { ...campaign.pledge, closes: "2020-01-31" } };
    expect(campaignToday(late, at("2020-01-15T09:00:00")).campaign).toBe("running");
  });

  it("offers a way to give by what it needs: SMS only in its window, transfer with an account", () => {
    const during = campaignToday(campaign, at("2019-10-20T09:00:00"));
    expect(during.ways).toEqual({
      transfer: "explain", // no account published, and campaign data says explain
      cash: "explain", // no office address
      payroll: "ready",
      sms: "ready",
      in_kind: "explain",
    });
    expect(campaignToday(campaign, at("2020-01-02T09:00:00")).ways.sms).toBe("hidden");
    expect(campaignToday(campaign, at("2020-01-02T09:00:00")).hidden).toEqual([
      { method: "sms", state: "hidden" },
    ]);
    const published = {
      ...campaign,
      payment: {
        bank_accounts: [{ bank: "B", account_number: "0123456", account_name: "Q", note_format: "{ref}" }],
      },
    };
    expect(campaignToday(published, at("2019-10-20T09:00:00")).ways.transfer).toBe("ready");
  });
});

describe("what the setup lets the bot promise", () => {
  const config = (env: Record<string, string>) => loadConfig({ DATA_DIR: "/tmp", ...env });
  it("passes a staff request on only through Telegram staff or the admin API", () => {
    expect(setupOf(config({})).staff).toBe("direct");
    expect(setupOf(config({ ADMIN_TOKEN: "0123456789abcdef0" })).staff).toBe("here");
    // Staff ids without a bot to send through reach nobody.
    expect(setupOf(config({ TELEGRAM_STAFF_IDS: "111" })).staff).toBe("direct");
    const telegram = { TELEGRAM_BOT_TOKEN: "123456:abcdefghijklmnopqrstuvwxyz", TELEGRAM_MODE: "polling" };
    expect(setupOf(config(telegram)).staff).toBe("direct"); // a bot, but no staff to alert
    expect(setupOf(config({ ...telegram, TELEGRAM_STAFF_IDS: "111,222" })).staff).toBe("here");
  });
});

describe("the campaign clock", () => {
  it("moves to the next day's view at midnight in Vietnam, not before", () => {
    let now = new Date("2019-12-31T23:59:00+07:00");
    const clock = new CampaignClock(campaign, () => now);
    expect(clock.today()).toMatchObject({ day: "2019-12-31", sms: "during" });
    now = new Date("2020-01-01T00:00:00+07:00");
    expect(clock.today()).toMatchObject({ day: "2020-01-01", sms: "after" });
  });
});
