/** The pinned local servers and tools scripts/aws-tools.sh installs (idempotent; seconds once cached). */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

export interface AwsTools {
  readonly MOTO_SERVER: string;
  readonly DVC: string;
  readonly TRINO_HOME: string;
  readonly TRINO_JAVA_HOME: string;
  readonly NODE22: string;
  readonly MOTO_VERSION: string;
  readonly DVC_VERSION: string;
  readonly TRINO_VERSION: string;
}

export function installTools(): AwsTools {
  const out = execFileSync(path.join(ROOT, "scripts/aws-tools.sh"), {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const vars = Object.fromEntries(
    out
      .split("\n")
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  for (const k of ["MOTO_SERVER", "DVC", "TRINO_HOME", "TRINO_JAVA_HOME", "NODE22"])
    if (!vars[k]) throw new Error(`scripts/aws-tools.sh printed no ${k}`);
  return vars as unknown as AwsTools;
}
