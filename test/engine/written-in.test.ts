import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { loadFlowBundle } from "../../src/engine/flow-loader.ts";
import { Understanding } from "../../src/engine/understanding.ts";

const { commands, campaign } = loadFlowBundle("flows", "locales", ACTION_NAMES);
const understanding = new Understanding(commands, campaign);

describe("the language a message is plainly written in (to answer in it when nobody chose one)", () => {
  it.each([
    ["How can I donate?", "en"],
    ["I want to donate 2 million", "en"],
    ["what is the fund for?", "en"],
    ["Tôi muốn ủng hộ", "vi"],
    ["đăng ky", "vi"],
    ["ung ho ntn", undefined], // Vietnamese without diacritics tells nothing
    ["toi ung ho 500k to dan pho", undefined], // "to" (tổ) alone is not English
    ["what's the bank account", "en"], // before: answered in Vietnamese
    ["I'd like to pledge 2 million dong by bank transfer", "en"],
    ["thanks, bye", "en"],
    ["who runs this", "en"],
    ["co the ung ho bang chuyen khoan khong", undefined],
    ["toi muon ung ho 500k", undefined],
    ["cash", undefined],
    ["500k", undefined],
  ])("%j → %s", (text, lang) => {
    expect(understanding.writtenIn(text)).toBe(lang);
  });
});
