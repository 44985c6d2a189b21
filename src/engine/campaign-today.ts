import { VIETNAM_OFFSET_MS, vietnamDay } from "../time/vietnam-time.ts";
import type { Campaign } from "./campaign-schema.ts";

/** Where today falls in a dated period of campaign data. */
export type Period = "before" | "during" | "after";
/** Whether a way to give is offered today: ready, offered with what happens next (explain), or hidden. */
export type WayState = "ready" | "explain" | "hidden";

/**
 * The campaign as it stands on one day in Vietnam, for copy (`{{now.sms}}`,
 * `$t(dates.sms.{{now.sms}})`) and conditions (`when: { path: now.pledges, equals: closed }`):
 * every dated fact is told in the right tense, and only the ways to give that work today are
 * offered.
 */
export interface CampaignToday {
  /** "2026-12-03". */
  day: string;
  peak_month: Period;
  sms: Period;
  /** "over" once every date in campaign data has passed. */
  campaign: "before" | "running" | "over";
  /** Pledges are taken until pledge.closes, when staff set one. */
  pledges: "open" | "closed";
  ways: Record<string, WayState>;
  /** The ways offered today (ready or explain), in campaign-data order, for a list in copy. */
  offered: Array<{ method: string; state: WayState }>;
  /** The ways not offered today, to say why when someone asks for one. */
  hidden: Array<{ method: string; state: WayState }>;
}

function period(day: string, start: string, end: string): Period {
  return day < start ? "before" : day > end ? "after" : "during";
}

/** Whether what a way to give needs is there today. */
function hasWhatItNeeds(campaign: Campaign, needs: string, sms: Period): boolean {
  switch (needs) {
    case "bank_account":
      return campaign.payment.bank_accounts.length > 0;
    case "office_address":
      return campaign.contacts.office.address.trim() !== "";
    case "sms_window":
      return sms === "during";
    default:
      return true;
  }
}

/** Every date in campaign data that bounds something the bot tells donors, earliest to latest. */
export function campaignDates(campaign: Campaign): string[] {
  return [
    campaign.peak_month.start,
    campaign.peak_month.end,
    campaign.sms.opens,
    campaign.sms.closes,
    ...(campaign.pledge.closes ? [campaign.pledge.closes] : []),
  ].sort();
}

export function campaignToday(campaign: Campaign, now: Date): CampaignToday {
  const day = vietnamDay(now);
  const sms = period(day, campaign.sms.opens, campaign.sms.closes);
  const dates = campaignDates(campaign);
  const ways: Record<string, WayState> = {};
  for (const [method, rule] of Object.entries(campaign.ways_to_give))
    ways[method] = hasWhatItNeeds(campaign, rule.needs, sms)
      ? "ready"
      : rule.missing === "explain"
        ? "explain"
        : "hidden";
  const all = Object.entries(ways).map(([method, state]) => ({ method, state }));
  return {
    day,
    peak_month: period(day, campaign.peak_month.start, campaign.peak_month.end),
    sms,
    campaign: day < dates[0]! ? "before" : day > dates[dates.length - 1]! ? "over" : "running",
    pledges: campaign.pledge.closes && day > campaign.pledge.closes ? "closed" : "open",
    ways,
    offered: all.filter((w) => w.state !== "hidden"),
    hidden: all.filter((w) => w.state === "hidden"),
  };
}

/**
 * The view for a day: computed once a day, since copy reads it many times a turn (the day number
 * is arithmetic: Vietnam keeps UTC+7 all year; formatting a date costs microseconds).
 */
export class CampaignClock {
  private cached?: { dayNumber: number; view: CampaignToday };

  constructor(
    private readonly campaign: Campaign,
    private readonly now: () => Date,
  ) {}

  today(): CampaignToday {
    const at = this.now();
    const dayNumber = Math.floor((at.getTime() + VIETNAM_OFFSET_MS) / 86_400_000);
    if (this.cached?.dayNumber !== dayNumber)
      this.cached = { dayNumber, view: campaignToday(this.campaign, at) };
    return this.cached.view;
  }
}
