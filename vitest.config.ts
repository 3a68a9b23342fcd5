import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The shipped-artifact suite needs moto, Trino and DVC: `npm run test:aws` (vitest.aws.config.ts).
    // Tests named *.moto.test.ts need moto's S3 API: they run there too.
    exclude: ["test/aws/**", "**/*.moto.test.ts", "**/node_modules/**"],
    setupFiles: ["test/support/temp-root.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
