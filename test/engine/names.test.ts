import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { loadFlowBundle } from "../../src/engine/flow-loader.ts";
import type { AskStep } from "../../src/engine/flow-schema.ts";
import { Understanding } from "../../src/engine/understanding.ts";

const { commands, campaign } = loadFlowBundle("flows", "locales", ACTION_NAMES);
const understanding = new Understanding(commands, campaign);
const nameStep = { ask: "name", slot: "name", prompt: "pledge.ask_name" } as AskStep;
const read = (text: string) =>
  understanding.readSlot(
    nameStep,
    { channel: "test", messageId: "m", conversationId: "c", userId: "u", text },
    undefined,
    [],
  );

describe("reading a name the way people give it", () => {
  it.each([
    ["tên tôi là Trần Thị Lan nhé", "Trần Thị Lan"],
    ["ten toi la Lan", "Lan"],
    ["tên là Nguyễn Văn An", "Nguyễn Văn An"], // before: "là Nguyễn Văn An"
    ["họ và tên: Lê Thị Ngọc Ánh", "Lê Thị Ngọc Ánh"],
    ["cứ gọi là Nam", "Nam"], // before: "cứ gọi là Nam"
    ["tôi họ Nguyễn", "Nguyễn"],
    ["it is John", "John"],
    ["John here", "John"],
    ["call me Anna", "Anna"],
    ["Nguyễn Văn A", "Nguyễn Văn A"], // the "A" is no particle "à"
    ["Lê Văn Được", "Lê Văn Được"], // "được" in a name stays
  ])("%j → %j", (text, name) => {
    expect(read(text)).toEqual({ ok: true, value: name });
  });

  it("reads a name and keeps the phone said with it for the phone question", () => {
    expect(read("Trần Thị Lan, sđt: 0912 345 678")).toEqual({
      ok: true,
      value: "Trần Thị Lan",
      sentence: true,
    });
  });

  it.each(["số tài khoản là gì", "tôi muốn nhận tin", "0912345678", "500k"])("%j is no name", (text) => {
    expect(read(text).ok).toBe(false);
  });
});
