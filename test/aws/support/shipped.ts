/**
 * What `cdk deploy` ships, run as Lambda would run it: each function's asset copied out of cdk.out
 * into an empty task root made read-only, its handler invoked under Node 22 in a clean environment
 * (no HOME, nothing inherited but PATH; the variables the synthesized template sets, with the data
 * stack's imports resolved to the buckets of the test; writes only to a fresh /tmp-like folder).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { awsEnv } from "./servers.js";
import { watchWrites } from "./tmp-watch.js";
import { ROOT } from "./tools.js";

export interface SynthesizedApp {
  readonly outdir: string;
  readonly pipeline: CfnTemplate;
  readonly data: CfnTemplate;
}

export interface CfnTemplate {
  readonly Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

/** `cdk synth` of the real app (the project's cdk.json), into `outdir`. */
export function synthesize(outdir: string): SynthesizedApp {
  execFileSync(path.join(ROOT, "node_modules/.bin/cdk"), ["synth", "--quiet", "-o", outdir], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return readSynthesized(outdir);
}

export function readSynthesized(outdir: string): SynthesizedApp {
  const read = (name: string) =>
    JSON.parse(
      execFileSync("cat", [path.join(outdir, `${name}.template.json`)], { encoding: "utf8" }),
    ) as CfnTemplate;
  return { outdir, pipeline: read("LakelinePipeline"), data: read("LakelineData") };
}

export interface ShippedFunction {
  readonly service: string;
  readonly assetDir: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Environment of the template; values that are intrinsics (imports) kept as such. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** The function whose Description starts with `lakeline <service>:`. */
export function shippedFunction(app: SynthesizedApp, service: string): ShippedFunction {
  const found = Object.values(app.pipeline.Resources).find(
    (r) =>
      r.Type === "AWS::Lambda::Function" &&
      String(r.Properties.Description).startsWith(`lakeline ${service}:`),
  );
  if (!found) throw new Error(`no ${service} function in the synthesized pipeline stack`);
  const asset = found.Metadata?.["aws:asset:path"];
  if (typeof asset !== "string") throw new Error(`${service}: no aws:asset:path metadata`);
  return {
    service,
    assetDir: path.join(app.outdir, asset),
    handler: String(found.Properties.Handler),
    timeoutSeconds: Number(found.Properties.Timeout),
    memoryMb: Number(found.Properties.MemorySize),
    environment: (found.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
  };
}

export interface Endpoints {
  readonly s3: string;
  readonly events: string;
  readonly athena?: string;
  readonly dynamodb?: string;
}

export interface Deployment {
  /** Values of the data stack's exports (`LakelineData-RawBucketName` → bucket). */
  readonly imports: Readonly<Record<string, string>>;
  readonly endpoints: Endpoints;
}

export interface InvokeResult<T> {
  /** The container was killed by InvokeOptions.killWhen. */
  readonly killed?: boolean;
  readonly results: ({ ok: true; value: T } | { ok: false; error: { name: string; message: string } })[];
  /** Peak resident set of the Node 22 process, bytes. */
  readonly maxRssBytes: number;
  readonly stderr: string;
  readonly stdout: string;
  readonly millis: number;
}

const RUNNER = path.join(import.meta.dirname, "lambda-runner.mjs");
const NOBODY = 65534;

export interface InvokeOptions {
  /** Crash injection: SIGKILL the container as soon as this resolves true (polled). */
  readonly killWhen?: () => Promise<boolean>;
  /** Receives the path (relative to the container's /tmp) of every file or folder written there. */
  readonly tmpWrites?: string[];
}

async function killOnce(child: ReturnType<typeof spawn>, when: () => Promise<boolean>): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    if (await when().catch(() => false)) {
      child.kill("SIGKILL");
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A warm container: one Node 22 process loads the handler once and is invoked with each event in
 * turn (as Lambda reuses a container). `taskRoot`, `tmp` must be fresh folders.
 */
export async function invokeShipped<T = unknown>(
  fn: ShippedFunction,
  deployment: Deployment,
  events: readonly unknown[],
  dirs: { taskRoot: string; tmp: string; node: string },
  extraEnv: Record<string, string> = {},
  options: InvokeOptions = {},
): Promise<InvokeResult<T>> {
  await fs.cp(fn.assetDir, dirs.taskRoot, { recursive: true });
  execFileSync("chmod", ["-R", "a-w,a+rX", dirs.taskRoot]);
  // As root, read-only means nothing: the function then runs as nobody, who may write only to tmp.
  const asNobody = process.getuid?.() === 0;
  if (asNobody) await fs.chown(dirs.tmp, NOBODY, NOBODY);
  const env: Record<string, string> = {
    PATH: "/usr/bin:/bin",
    LAMBDA_TASK_ROOT: dirs.taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: `lakeline-${fn.service}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
    TMPDIR: dirs.tmp,
    ...awsEnv(),
    AWS_ENDPOINT_URL_S3: deployment.endpoints.s3,
    AWS_ENDPOINT_URL_EVENTBRIDGE: deployment.endpoints.events,
    ...(deployment.endpoints.athena ? { AWS_ENDPOINT_URL_ATHENA: deployment.endpoints.athena } : {}),
    ...(deployment.endpoints.dynamodb ? { AWS_ENDPOINT_URL_DYNAMODB: deployment.endpoints.dynamodb } : {}),
    ...resolveEnvironment(fn.environment, deployment.imports, dirs),
    ...extraEnv,
  };
  // inotify on every folder under /tmp, in place before the function starts.
  const watcher = options.tmpWrites ? await watchWrites(dirs.tmp) : undefined;
  const started = Date.now();
  const child = spawn(dirs.node, [RUNNER, path.join(dirs.taskRoot, "index.mjs"), fn.handler.split(".")[1]!], {
    cwd: dirs.taskRoot,
    env,
    stdio: ["pipe", "pipe", "pipe"],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  if (options.killWhen) void killOnce(child, options.killWhen);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.end(JSON.stringify({ events, timeoutMs: fn.timeoutSeconds * 1000 }));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.once("exit", (c, sig) => r([c, sig])),
  );
  if (watcher) options.tmpWrites!.push(...(await watcher.stop()));
  if (signal === "SIGKILL" && options.killWhen)
    return { results: [], killed: true, maxRssBytes: 0, stderr, stdout, millis: Date.now() - started };
  const marker = stdout.lastIndexOf("\n@@lakeline-runner@@");
  if (code !== 0 || marker < 0)
    throw new Error(
      `shipped ${fn.service} exited ${code}\nstderr:\n${stderr.slice(-4000)}\nstdout:\n${stdout.slice(-4000)}`,
    );
  const report = JSON.parse(stdout.slice(marker + "\n@@lakeline-runner@@".length)) as Omit<
    InvokeResult<T>,
    "stderr" | "stdout" | "millis"
  >;
  return { ...report, stderr, stdout: stdout.slice(0, marker), millis: Date.now() - started };
}

/**
 * The template's variables with imports resolved; `/var/task` and `/tmp` (the Lambda paths the
 * stack sets) mapped to the task root and scratch folder of this invocation. An intrinsic the
 * test's deployment cannot resolve fails the test: a new variable must not go unnoticed.
 */
export function resolveEnvironment(
  vars: Readonly<Record<string, unknown>>,
  imports: Readonly<Record<string, string>>,
  dirs: { taskRoot: string; tmp: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(vars)) {
    let v: string;
    if (typeof value === "string") v = value;
    else {
      const imported = (value as { "Fn::ImportValue"?: string })["Fn::ImportValue"];
      if (typeof imported !== "string" || !(imported in imports))
        throw new Error(`environment ${name}: cannot resolve ${JSON.stringify(value)}`);
      v = imports[imported]!;
    }
    if (v === "/tmp") v = dirs.tmp;
    else if (v.startsWith("/var/task/")) v = path.join(dirs.taskRoot, v.slice("/var/task/".length));
    out[name] = v;
  }
  return out;
}
