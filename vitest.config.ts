import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two cores: keep the pool small so integration suites do not starve each other.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
