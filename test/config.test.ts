import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/config.ts";

describe("config", () => {
  it("runs with no configuration at all", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3000,
      DATA_DIR: "./data",
      DEFAULT_LANGUAGE: "vi",
      SESSION_TTL_DAYS: 30,
    });
  });

  it("stops with a message naming the variable and what it expects", () => {
    expect(() => loadConfig({ PORT: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "abc" })).toThrow(/PORT="abc": expected/);
    expect(() => loadConfig({ DEFAULT_LANGUAGE: "fr" })).toThrow(/DEFAULT_LANGUAGE="fr": expected .*"vi"/);
    expect(() => loadConfig({ ADMIN_TOKEN: "short" })).toThrow(
      /ADMIN_TOKEN="short": expected at least 16 characters/,
    );
    expect(() => loadConfig({ DEDUPE_TTL_HOURS: "1" })).toThrow(/DEDUPE_TTL_HOURS/);
  });

  it("keeps broadcast limits safe: an empty rate is the default, only an explicit 0 lifts it; quiet hours are checked", () => {
    expect(loadConfig({ BROADCAST_RATE_TELEGRAM: "" }).BROADCAST_RATE_TELEGRAM).toBe(25);
    expect(loadConfig({ BROADCAST_RATE_TELEGRAM: "0" }).BROADCAST_RATE_TELEGRAM).toBe(0);
    expect(loadConfig({}).QUIET_HOURS).toBe("21:00-07:00");
    expect(() => loadConfig({ QUIET_HOURS: "9pm-7am" })).toThrow(
      /QUIET_HOURS="9pm-7am": expected HH:MM-HH:MM/,
    );
    expect(() => loadConfig({ BROADCAST_RATE_TELEGRAM: "-1" })).toThrow(/BROADCAST_RATE_TELEGRAM/);
  });
});
