import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The shipped-artifact suite needs moto, Trino and DVC: `npm run test:aws` (vitest.aws.config.ts).
    // Tests named *.moto.test.ts need moto's S3 API: they run there too. The property-based suites,
    // the load test and replay after an outage run with `npm run test:slow` (vitest.slow.config.ts).
    exclude: [
      "test/aws/**",
      "**/*.moto.test.ts",
      "test/fuzz/**",
      "test/reliability/load.test.ts",
      "test/reliability/replay-compaction.test.ts",
      "**/node_modules/**",
    ],
    setupFiles: ["test/support/temp-root.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Golden files (toMatchFileSnapshot, e.g. test/core/export/golden) are rewritten with LAKELINE_UPDATE_GOLDEN=1.
    ...(process.env.LAKELINE_UPDATE_GOLDEN === "1" ? { update: true } : {}),
    maxWorkers: 2,
  },
});
