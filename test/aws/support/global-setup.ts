/**
 * Once per `npm run test:aws`: install the pinned tools, synthesize the real app, start moto.
 * Trino starts in the file that needs it (it costs ~30 s and ~1.5 GB).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { startMoto } from "./servers.js";
import { synthesize } from "./shipped.js";
import { installTools } from "./tools.js";

declare module "vitest" {
  export interface ProvidedContext {
    awsHarness: {
      readonly moto: string;
      readonly cdkOut: string;
      readonly workDir: string;
      readonly tools: import("./tools.js").AwsTools;
    };
  }
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const tools = installTools();
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-aws-"));
  // The functions run as nobody when the tests run as root (see shipped.ts): let them traverse.
  await fs.chmod(workDir, 0o755);
  const cdkOut = path.join(workDir, "cdk.out");
  const moto = await startMoto(tools.MOTO_SERVER, workDir);
  try {
    synthesize(cdkOut);
  } catch (err) {
    await moto.stop();
    throw err;
  }
  console.log(
    `test:aws: moto ${tools.MOTO_VERSION}, Trino ${tools.TRINO_VERSION}, DVC ${tools.DVC_VERSION}, ` +
      `Node ${tools.NODE22}; tools + synth + moto in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  project.provide("awsHarness", { moto: moto.endpoint, cdkOut, workDir, tools });
  return async () => {
    await moto.stop();
    if (!process.env.LAKELINE_KEEP_AWS_WORKDIR) await fs.rm(workDir, { recursive: true, force: true });
  };
}
