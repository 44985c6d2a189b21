import { describe, expect, it } from "vitest";
import { vietnamDate } from "../../src/time/vietnam-time.ts";

describe("vietnamDate", () => {
  it("shows a pledge's date as people in Vietnam saw it", () => {
    expect(vietnamDate("2019-10-19T23:30:00.000Z")).toBe("20/10/2019");
    expect(vietnamDate("2019-10-20T10:00:00.000Z")).toBe("20/10/2019");
  });
});

describe("organisationCode", () => {
  it("finds the campaign organisation a donor named in the pledge, for audiences by union", async () => {
    const { loadFlowBundle } = await import("../../src/engine/flow-loader.ts");
    const { ACTION_NAMES } = await import("../../src/engine/action.ts");
    const { organisationCode } = await import("../../src/actions/account-actions.ts");
    const { campaign } = loadFlowBundle("flows", "locales", ACTION_NAMES);
    expect(organisationCode(campaign, "lien doan lao dong thanh pho can tho")).toBe("ldld-ct");
    expect(organisationCode(campaign, "Cần Thơ City Labour Federation")).toBe("ldld-ct");
    expect(organisationCode(campaign, "LDLD-CT")).toBe("ldld-ct");
    expect(organisationCode(campaign, "Công ty ABC")).toBeUndefined();
    expect(organisationCode(campaign, undefined)).toBeUndefined();
  });
});
