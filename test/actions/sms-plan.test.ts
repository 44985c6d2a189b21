import { describe, expect, it } from "vitest";
import { smsLink, smsPlan } from "../../src/actions/sms-actions.ts";

const sms = {
  keyword: "VNN",
  short_number: "1408",
  unit_value: 20_000,
  min_units: 1,
  max_units: 100,
  opens: "2019-08-19",
  closes: "2019-12-31",
  hotline: "1900 1530",
  site: "https://1400.vn",
  portal: "x",
};

describe("smsPlan", () => {
  it("fits an amount in one message when it can", () => {
    expect(smsPlan(500_000, sms)).toMatchObject({
      messages: 1,
      total: 500_000,
      rounded: false,
      lines: [{ count: 1, body: "VNN 25" }],
    });
  });
  it("splits amounts over the per-message maximum", () => {
    expect(smsPlan(4_100_000, sms)).toMatchObject({
      messages: 3,
      total: 4_100_000,
      lines: [
        { count: 2, body: "VNN 100" },
        { count: 1, body: "VNN 5" },
      ],
    });
  });
  it("rounds to the nearest unit, never below one unit", () => {
    expect(smsPlan(30_000, sms)).toMatchObject({ total: 40_000, rounded: true });
    expect(smsPlan(5_000, sms)).toMatchObject({ total: 20_000, rounded: true, lines: [{ body: "VNN 1" }] });
  });
  it("builds a tappable sms: link with the body encoded", () => {
    expect(smsLink("1408", "VNN 25")).toBe("sms:1408?body=VNN%2025");
  });
});
