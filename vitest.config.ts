import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The shipped-artifact suite needs moto, Trino and DVC: `npm run test:aws` (vitest.aws.config.ts).
    exclude: ["test/aws/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
