import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { FlowValidationError, loadFlowBundle } from "../../src/engine/flow-loader.ts";
import { LANGUAGES, allStrings } from "../../src/engine/locales.ts";

const root = join(import.meta.dirname, "..", "..");

/** A copy of flows/, locales/ and nlu/ with one edit, loaded; returns the problems found. */
function problemsAfter(edit: (dir: string) => void): string[] {
  const dir = mkdtempSync(join(tmpdir(), "chungtay-flows-"));
  cpSync(join(root, "flows"), join(dir, "flows"), { recursive: true });
  cpSync(join(root, "locales"), join(dir, "locales"), { recursive: true });
  cpSync(join(root, "nlu"), join(dir, "nlu"), { recursive: true });
  edit(dir);
  try {
    loadFlowBundle(join(dir, "flows"), join(dir, "locales"), ACTION_NAMES, join(dir, "nlu"));
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(FlowValidationError);
    return (err as FlowValidationError).problems;
  }
}

function replaceIn(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  expect(text, `${file} contains ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe("flow validation", () => {
  it("accepts the shipped flows, campaign data and locales", () => {
    expect(problemsAfter(() => {})).toEqual([]);
  });

  it("names file, flow and step for an unknown step", () => {
    const problems = problemsAfter((d) => replaceIn(d, "flows/pledge.yaml", "goto: edit\n", "goto: edti\n"));
    // The typo also orphans the edit branch, which is reported too.
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/pledge\.yaml: flow "pledge", step "#\d+": unknown step "edti"/),
        expect.stringMatching(/step "edit": unreachable step/),
      ]),
    );
  });

  it("names the locale missing a key", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "locales/en/pledge.json", '"ask_name":', '"ask_nam":'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /pledge\.yaml: flow "pledge", step "name": unknown locale key "pledge\.ask_name" \(missing in locales\/en\)/,
      ),
    ]);
  });

  it("checks the copy of an answer that names what a question cannot take (reask_when)", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/pledge.yaml", "say: pledge.amount_in_kind", "say: pledge.amount_in_kin"),
    );
    expect(problems).toEqual(
      ["vi", "en"].map((lang) =>
        expect.stringMatching(
          new RegExp(
            `pledge\\.yaml: flow "pledge", step "amount": unknown locale key "pledge\\.amount_in_kin" \\(missing in locales/${lang}\\)`,
          ),
        ),
      ),
    );
  });

  it("allows a question's own yes words only on a yes/no question", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        '        from_answer: true # "sửa tên thành',
        '        yes: ["ok"]\n        from_answer: true # "sửa tên thành',
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/pledge\.yaml.*only a yes\/no question has its own yes words/),
    ]);
  });

  it("allows lead-ins only on a text question", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        '        from_answer: true # "sửa tên thành',
        '        lead_ins: ["tên"]\n        from_answer: true # "sửa tên thành',
      ),
    );
    expect(problems).toEqual([expect.stringMatching(/pledge\.yaml.*only a text question drops lead-ins/)]);
  });

  it("finds an unreachable step", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/menu.yaml",
        "      - say: common.cancelled\n      - call: menu\n",
        "      - say: common.cancelled\n      - end: true\n      - id: orphan\n        call: menu\n",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/menu\.yaml: flow "cancelled", step "orphan": unreachable step/),
    ]);
  });

  it("rejects a bad slot type", () => {
    const problems = problemsAfter((d) => replaceIn(d, "flows/pledge.yaml", "ask: phone", "ask: telephone"));
    expect(problems).toEqual([
      expect.stringMatching(/pledge\.yaml: flow "pledge", step "phone" at ask: bad slot type "telephone"/),
    ]);
  });

  it("rejects an unknown action and an unknown flow", () => {
    const problems = problemsAfter((d) => {
      replaceIn(d, "flows/account.yaml", "action: handoff", "action: hand_off");
      replaceIn(d, "flows/sms.yaml", "call: sms_guidance", "call: sms_guide");
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/flow "handoff", step "#2": unknown action "hand_off"/),
        expect.stringMatching(/flow "sms", step "#4": unknown flow "sms_guide"/),
      ]),
    );
  });

  it("refuses a command word that reads as an answer once diacritics are dropped", () => {
    // "dừng" (stop) folds to "dung", like "đúng" (right): "đúng" at the summary would cancel the pledge.
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/commands.yaml", '"thôi", "dừng lại",', '"thôi", "dừng", "dừng lại",'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /commands\.yaml: commands\.cancel word "dừng" reads as the yes word "đúng" once diacritics are dropped/,
      ),
    ]);
  });

  it("refuses an FAQ entry that takes amounts with no flow to read them", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/faq.yaml", "    call: change_pledge #", "    answer: account.change_none #"),
    );
    expect(problems).toEqual([
      expect.stringMatching(/faq\.yaml.*amounts needs a flow \(call or start\) to read the sentence/),
    ]);
  });

  it("refuses an abbreviation written with diacritics, which would never be looked up", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/commands.yaml", '  mun: "muốn"', '  mún: "muốn"'),
    );
    // The model learnt the old abbreviations: it is stale too.
    expect(problems).toContainEqual(
      expect.stringMatching(/commands\.yaml: abbreviations key "mún" is never matched.*write "mun"/),
    );
  });

  it("refuses an intent that no FAQ entry answers or no label names, and a model older than its examples", () => {
    const unanswered = problemsAfter((d) =>
      replaceIn(d, "flows/faq.yaml", "  - id: out_of_scope\n", "  - id: small_talk\n"),
    );
    expect(unanswered).toEqual([
      expect.stringMatching(/nlu\/intents\/out_of_scope\.yaml: no entry "out_of_scope" in flows\/faq\.yaml/),
    ]);
    const unnamed = problemsAfter((d) => replaceIn(d, "locales/en/intents.json", '"tax":', '"taxes":'));
    expect(unnamed).toEqual([
      expect.stringMatching(/nlu\/intents\/tax\.yaml: no label "intents\.tax" in locales\/en/),
    ]);
    const stale = problemsAfter((d) =>
      replaceIn(d, "nlu/intents/tax.yaml", "examples:\n", "examples:\n  - thuế má sao ad\n"),
    );
    expect(stale).toEqual([
      expect.stringMatching(/nlu\/model\.json: older than nlu\/intents.*npm run nlu:train/),
    ]);
  });

  it("fails when the campaign data lacks a field the flows or the copy need", () => {
    const missingSchemaField = problemsAfter((d) =>
      replaceIn(d, "flows/campaign.yaml", '  short_number: "1408"\n', ""),
    );
    expect(missingSchemaField).toEqual([expect.stringMatching(/campaign\.yaml: at sms\.short_number/)]);
    const missingCopyField = problemsAfter((d) =>
      replaceIn(d, "locales/vi/faq.json", "{{campaign.sms.hotline}}", "{{campaign.sms.helpline}}"),
    );
    expect(missingCopyField).toEqual([
      expect.stringMatching(/locales\/vi: "faq\.sms" names campaign\.sms\.helpline/),
    ]);
  });

  it("allows a button argument only on a flow payload, from a value path", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/reminder.yaml",
        'payload: "flow:pledge_cancel", arg: vars.reference',
        'payload: "cmd:menu", arg: vars.reference',
      ),
    );
    expect(problems).toEqual([expect.stringMatching(/reminder\.yaml: .*arg needs a flow payload/)]);
  });

  it("checks the condition of an offered choice like a branch's", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        "when: { path: vars.sms_state, equals: open }",
        "when: { path: campaign.sms.open_now, equals: true }",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/pledge\.yaml: .*campaign data has no "campaign\.sms\.open_now"/),
    ]);
  });

  it("checks the reasks of an amount question, and allows them only there", () => {
    const typo = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        "too_large: pledge.amount_too_large",
        "too_large: pledge.amount_too_big",
      ),
    );
    expect(typo).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /pledge\.yaml: flow "pledge", step "amount": unknown locale key "pledge\.amount_too_big"/,
        ),
      ]),
    );
    const misplaced = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        "reask: pledge.reask_method\n",
        "reask: pledge.reask_method\n        reasks: { too_small: pledge.amount_too_small }\n",
      ),
    );
    expect(misplaced).toEqual([expect.stringMatching(/pledge\.yaml: .*only an amount question has reasks/)]);
  });

  it("checks where an amount's correction ends", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/pledge.yaml", "until: confirm }", "until: confrim }"),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /pledge\.yaml: flow "pledge", step "amount": corrected\.until names unknown step "confrim"/,
      ),
    ]);
  });

  it("refuses a choice match word without letters or digits, which would match any punctuation", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/pledge.yaml", 'match: ["xác nhận",', 'match: ["👍", "xác nhận",'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /pledge\.yaml: flow "pledge", step "confirm": choice "confirm" match "👍" has no letters or digits/,
      ),
    ]);
  });

  it("refuses a bank account without digits, so nobody types a placeholder", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/campaign.yaml",
        "bank_accounts: []",
        'bank_accounts: [{ bank: "X", account_number: "TBD", account_name: "Y", note_format: "{ref}" }]',
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/campaign\.yaml: at payment\.bank_accounts\.0\.account_number: digits only/),
    ]);
  });
});

describe("locales", () => {
  it("have the same keys in every language", () => {
    const dir = join(root, "locales");
    const keys = LANGUAGES.map(
      (lang) =>
        new Set(
          allStrings(loadFlowBundle(join(root, "flows"), dir, ACTION_NAMES).locales[lang]).map(([k]) => k),
        ),
    );
    const [vi, en] = keys as [Set<string>, Set<string>];
    expect(
      [...vi].filter((k) => !en.has(k)),
      "keys only in vi",
    ).toEqual([]);
    expect(
      [...en].filter((k) => !vi.has(k)),
      "keys only in en",
    ).toEqual([]);
  });
});
