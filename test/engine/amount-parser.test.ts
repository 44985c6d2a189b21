import { describe, expect, it } from "vitest";
import { inForeignCurrency, inWages, parseAmount } from "../../src/engine/amount-parser.ts";

describe("parseAmount", () => {
  it.each([
    ["500k", 500_000],
    ["500K", 500_000],
    ["500 nghìn", 500_000],
    ["500 ngàn", 500_000],
    ["1tr", 1_000_000],
    ["1 triệu", 1_000_000],
    ["1,5 triệu", 1_500_000],
    ["1.5tr", 1_500_000],
    ["1.500.000đ", 1_500_000],
    ["1,500,000 VND", 1_500_000],
    ["200.000", 200_000],
    ["2 triệu rưỡi", 2_500_000],
    ["1tr2", 1_200_000],
    ["1 triệu 250", 1_250_000],
    ["hai trăm nghìn", 200_000],
    ["hai tram nghin", 200_000],
    ["một triệu hai trăm nghìn", 1_200_000],
    ["hai mươi lăm nghìn", 25_000],
    ["mười nghìn", 10_000],
    ["hai trăm rưỡi nghìn", 250_000],
    ["hai trăm linh năm nghìn", 205_000],
    ["tám trăm nghìn", 800_000],
    ["tạm 500k", 500_000],
    ["tôi ủng hộ 300k", 300_000],
    ["3 củ", 3_000_000],
    ["1 million", 1_000_000],
    ["1.5m", 1_500_000],
    ["five hundred thousand", 500_000],
    ["50.000 đồng", 50_000],
    ["đăng ký ủng hộ 200 nghìn đồng", 200_000],
    ["tôi ủng hộ 300k nhé", 300_000],
    ["I want to donate 2 million", 2_000_000],
    ["tôi muốn quyên góp 1 triệu", 1_000_000],
    ["I'll give 500k", 500_000],
    ["0,5 triệu", 500_000],
    ["nửa triệu", 500_000],
    ["1 chục nghìn", 10_000],
    ["5 chục nghìn", 50_000],
    ["chục triệu", 10_000_000],
    ["500k nữa", 500_000], // "nữa" (more) is not "nửa" (half)
    ["half a million", 500_000],
    ["a million dong", 1_000_000],
    ["I'd like to give a million", 1_000_000],
    ["100 000", 100_000], // spaces between thousands, as on a cheque
    ["1 500 000 đồng", 1_500_000],
    ["50k thôi", 50_000],
    ["tôi chỉ ủng hộ 200 nghìn thôi ạ", 200_000],
  ])("reads %s as %d VND", (text, value) => {
    expect(parseAmount(text)).toBe(value);
  });

  it.each([
    "",
    "abc",
    "nhiều lắm",
    "không biết",
    "500 200",
    "-500k",
    "- 5 triệu",
    "k",
    "triệu",
    "500k abc",
    "1.2.3",
    "ba bốn",
    "2 to 3 million",
    "từ 2 đến 3 triệu",
    "$50",
    "100 dollars",
    "100 đô",
    "100 đô la",
    "20 euro",
    "50 USD",
    "¥1000",
    "0912345678",
    "0912 345 678",
    "0500k",
    "091 234 000",
    "500 200 000 1",
    "1 triệu tên",
  ])("rejects %j", (text) => {
    expect(parseAmount(text)).toBeNull();
  });

  it("tells a gift in wages, which is not an amount", () => {
    for (const t of [
      "1 ngày lương",
      "một ngày lương",
      "ủng hộ 1 tháng lương",
      "one day's salary",
      "2 days of pay",
    ]) {
      expect(inWages(t), t).toBe(true);
      expect(parseAmount(t), t).toBeNull();
    }
    for (const t of ["trích lương", "500k", "ngày mai ủng hộ 200k", "payroll deduction"])
      expect(inWages(t), t).toBe(false);
  });

  it("tells an amount in another currency from words that only look like one", () => {
    for (const t of [
      "$50",
      "100 dollars",
      "100 đô",
      "100 Đô la",
      "20 euro",
      "50 USD",
      "¥1000",
      "1 triệu yên",
    ])
      expect(inForeignCurrency(t), t).toBe(true);
    for (const t of [
      "500k",
      "do bận nên 200k",
      "đồng",
      "2 triệu đồng",
      "1.500.000 VND",
      "đô thị",
      "Eurovision 200k",
    ])
      expect(inForeignCurrency(t), t).toBe(false);
  });
});
