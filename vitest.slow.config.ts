import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

// `npm run test:slow`: the property-based (fuzz) suites, the 200-blob load test and replay after an
// outage. They need only Node, but take a third of the suite's time, so `npm test` stays fast;
// `.ci/run` runs them too.
export const SLOW_TESTS = [
  "test/fuzz/**/*.test.ts",
  "test/reliability/load.test.ts",
  "test/reliability/replay-compaction.test.ts",
];

export default defineConfig({
  test: {
    ...base.test,
    include: SLOW_TESTS,
    exclude: ["**/*.moto.test.ts", "**/node_modules/**"],
  },
});
