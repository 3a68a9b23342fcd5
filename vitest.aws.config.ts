import { defineConfig } from "vitest/config";

// `npm run test:aws`: the shipped cdk.out assets under Node 22 against moto, Trino and DVC
// (installed by scripts/aws-tools.sh, started by the tests). Not part of `npm test`.
export default defineConfig({
  test: {
    include: ["test/aws/**/*.test.ts", "test/**/*.moto.test.ts"],
    globalSetup: ["test/aws/support/global-setup.ts"],
    setupFiles: ["test/support/temp-root.ts"],
    // One file at a time: the servers and the machine's two cores are shared.
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
