/** Per-file harness: the shared moto and cdk.out, fresh folders per invocation, one deployment. */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { Upload } from "@aws-sdk/lib-storage";
import { inject } from "vitest";
import { deployOnMoto, type MotoDeployment } from "./deployment.js";
import {
  type InvokeOptions,
  type InvokeResult,
  invokeShipped,
  readSynthesized,
  type ShippedFunction,
  shippedFunction,
} from "./shipped.js";

export function harness() {
  return inject("awsHarness");
}

export interface Lambda {
  readonly fn: ShippedFunction;
  invoke<T>(
    events: readonly unknown[],
    extraEnv?: Record<string, string>,
    options?: InvokeOptions,
  ): Promise<InvokeResult<T>>;
}

/** A fresh, empty task root and /tmp for each container, under the run's work folder. */
export function lambda(service: string, deployment: MotoDeployment): Lambda {
  const h = harness();
  const fn = shippedFunction(readSynthesized(h.cdkOut), service);
  return {
    fn,
    async invoke(events, extraEnv = {}, options = {}) {
      const base = mkdtempSync(path.join(h.workDir, `${service}-`));
      await fs.chmod(base, 0o755);
      const dirs = { taskRoot: path.join(base, "task"), tmp: path.join(base, "tmp"), node: h.tools.NODE22 };
      await fs.mkdir(dirs.tmp);
      try {
        return await invokeShipped(fn, deployment, events, dirs, extraEnv, options);
      } finally {
        execFileSync("chmod", ["-R", "u+w", base]);
        await fs.rm(base, { recursive: true, force: true });
      }
    },
  };
}

export async function deploy(): Promise<MotoDeployment> {
  return deployOnMoto(harness().moto);
}

/** Upload as a user would (multipart above 8 MiB); returns what S3 answered. */
export async function upload(d: MotoDeployment, key: string, body: Buffer | string) {
  const out = await new Upload({
    client: d.s3,
    params: { Bucket: d.buckets.Raw, Key: key, Body: body },
  }).done();
  return {
    eTag: (out.ETag ?? "").replace(/"/g, ""),
    versionId: out.VersionId,
    size: Buffer.byteLength(body),
  };
}
