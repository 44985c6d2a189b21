import { describe, expect, it } from "vitest";
import { vietnamDate } from "../../src/actions/pledge-actions.ts";

describe("vietnamDate", () => {
  it("shows a pledge's date as people in Vietnam saw it", () => {
    expect(vietnamDate("2019-10-19T23:30:00.000Z")).toBe("20/10/2019");
    expect(vietnamDate("2019-10-20T10:00:00.000Z")).toBe("20/10/2019");
  });
});
