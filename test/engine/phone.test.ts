import { describe, expect, it } from "vitest";
import { maskPhone, parseVietnamesePhone } from "../../src/engine/phone.ts";

describe("parseVietnamesePhone", () => {
  it.each([
    ["0912 345 678", "+84912345678"],
    ["0912-345-678", "+84912345678"],
    ["+84 912 345 678", "+84912345678"],
    ["84912345678", "+84912345678"],
    ["0386123456", "+84386123456"],
    ["0292 3821 234", "+842923821234"],
  ])("accepts %s as %s", (text, e164) => {
    expect(parseVietnamesePhone(text)).toBe(e164);
  });

  it.each([
    "",
    "abc",
    "12345",
    "091234567",
    "0123456789",
    "+1 415 555 2671",
    "0912345678901",
    "+44 20 7946 0958",
  ])("rejects %j", (text) => {
    expect(parseVietnamesePhone(text)).toBeNull();
  });

  it("masks a number for display and logs", () => {
    expect(maskPhone("+84912345678")).toBe("+8491*****78");
  });
});
