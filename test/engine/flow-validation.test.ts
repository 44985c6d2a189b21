import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../../src/engine/action.ts";
import { FlowValidationError, loadFlowBundle } from "../../src/engine/flow-loader.ts";
import { bundleWarnings } from "../../src/engine/flow-validator.ts";
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
        expect.stringMatching(/flow "handoff", step "#3": unknown action "hand_off"/),
        expect.stringMatching(/flow "sms", step "guidance": unknown flow "sms_guide"/),
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
      replaceIn(d, "locales/vi/sms.json", "{{campaign.sms.hotline}}", "{{campaign.sms.helpline}}"),
    );
    expect(missingCopyField).toEqual([
      expect.stringMatching(/locales\/vi: "sms\.facts" names campaign\.sms\.helpline/),
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
        "when: { path: now.ways.sms, in: [ready, explain] }",
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

  it("rejects a slot no question asks for: a consent typo would ask a refusing donor for their name", () => {
    // Before: `slots.consnet` read as "not set", so a donor who said no was asked for their name
    // and a consent record was written.
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/pledge.yaml",
        "- when: { path: slots.consent, equals: false }",
        "- when: { path: slots.consnet, equals: false }",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /pledge\.yaml: flow "pledge", step "#\d+": no question asks for "slots\.consnet"/,
      ),
    ]);
  });

  it("rejects a var nothing writes, a today's-state path, a setup path and a session field that do not exist", () => {
    const problems = problemsAfter((d) => {
      replaceIn(
        d,
        "flows/account.yaml",
        "path: vars.pledges, empty: true",
        "path: vars.pledgez, empty: true",
      );
      replaceIn(
        d,
        "flows/answers.yaml",
        "path: now.campaign, equals: over",
        "path: now.campain, equals: over",
      );
      replaceIn(
        d,
        "flows/account.yaml",
        "path: setup.staff, equals: direct",
        "path: setup.staf, equals: direct",
      );
      replaceIn(
        d,
        "flows/menu.yaml",
        "path: session.flow, equals: later",
        "path: session.flw, equals: later",
      );
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/flow "my_pledges".*nothing writes "vars\.pledgez"/),
        expect.stringMatching(/flow "campaign_dates".*today's campaign state has no "now\.campain"/),
        expect.stringMatching(/flow "handoff".*the setup has no "setup\.staf"/),
        expect.stringMatching(/flow "later".*a session has no "session\.flw"/),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("rejects a way to give the campaign data does not have", () => {
    const problems = problemsAfter((d) =>
      replaceIn(d, "flows/pledge.yaml", "path: now.ways.in_kind,", "path: now.ways.inkind,"),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /pledge\.yaml: flow "pledge", step "method": today's campaign state has no "now\.ways\.inkind"/,
      ),
    ]);
  });

  it("rejects a param, a list and a cleared slot that name nothing", () => {
    const problems = problemsAfter((d) => {
      replaceIn(d, "flows/reminder.yaml", "amount: slots.amount,", "amount: slots.amout,");
      replaceIn(d, "flows/sms.yaml", "each: vars.sms_lines", "each: vars.sms_line");
      replaceIn(d, "flows/pledge.yaml", "clear: [method]", "clear: [metod]");
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/reminder\.yaml: flow "reminder_message".*no question asks for "slots\.amout"/),
        expect.stringMatching(/sms\.yaml: flow "sms_guidance".*nothing writes "vars\.sms_line"/),
        expect.stringMatching(/pledge\.yaml: flow "pledge".*no question asks for "slots\.metod"/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("rejects copy placeholders that name nothing", () => {
    const problems = problemsAfter((d) => {
      replaceIn(d, "locales/en/pledge.json", "give {{slots.amount, vnd}}?", "give {{slots.amont, vnd}}?");
      replaceIn(d, "locales/vi/dates.json", "{{campaign.pledge.closes}}", "{{campaign.pledge.close}}");
      replaceIn(d, "locales/vi/ways.json", "{{now.sms}}", "{{now.smss}}");
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /locales\/en: "pledge\.ask_method" names slots\.amont: no question asks for "slots\.amont"/,
        ),
        expect.stringMatching(/locales\/vi: "dates\.pledges\.closed" names campaign\.pledge\.close,/),
        expect.stringMatching(/locales\/vi: "ways\.explain\.sms" names now\.smss/),
      ]),
    );
  });

  it("checks each way to give says what it does while what it needs is missing", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/campaign.yaml",
        "transfer: { needs: bank_account, missing: explain }",
        "transfer: { needs: bank_account }",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/campaign\.yaml: at ways_to_give\.transfer\.missing: say what the bot does/),
    ]);
  });

  it("needs the wording of every way to give in campaign data, in every language", () => {
    const problems = problemsAfter((d) =>
      replaceIn(
        d,
        "flows/campaign.yaml",
        "  payroll: { needs: nothing }\n",
        "  payroll: { needs: nothing }\n  momo: { needs: nothing }\n",
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /ways_to_give\.momo: unknown locale key "ways\.ready\.momo" \(missing in locales\/vi\)/,
        ),
        expect.stringMatching(
          /ways_to_give\.momo: unknown locale key "ways\.next\.momo" \(missing in locales\/en\)/,
        ),
        expect.stringMatching(/ways_to_give\.momo: unknown locale key "pledge\.method\.momo"/),
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it("warns, without failing, when every campaign date is in the past", () => {
    const bundle = loadFlowBundle(join(root, "flows"), join(root, "locales"), ACTION_NAMES);
    expect(bundleWarnings(bundle, new Date("2026-12-03T09:00:00+07:00"))).toEqual([
      expect.stringMatching(
        /campaign\.yaml: every campaign date is in the past \(the last is 2019-12-31, today is 2026-12-03/,
      ),
    ]);
    expect(bundleWarnings(bundle, new Date("2019-12-31T23:00:00+07:00"))).toEqual([]);
    expect(bundleWarnings(bundle, new Date("2019-10-20T09:00:00+07:00"))).toEqual([]);
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
