/**
 * Local servers for the shipped-artifact tests, on loopback and free ports, stopped by the caller:
 * moto (S3, SQS, EventBridge API) and Trino (the Athena engine v3 stand-in, Hive connector with a
 * file metastore, its tables' data in moto's S3).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import * as fs from "node:fs/promises";
import * as net from "node:net";
import * as path from "node:path";

export const AWS_REGION = "us-east-1";
export const AWS_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" } as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface Server {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function waitUntil(
  what: string,
  proc: ChildProcess,
  ok: () => Promise<boolean>,
  ms: number,
  log: string,
) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      const tail = await fs.readFile(log, "utf8").catch(() => "");
      throw new Error(`${what} exited with ${proc.exitCode}:\n${tail.slice(-4000)}`);
    }
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  const tail = await fs.readFile(log, "utf8").catch(() => "");
  throw new Error(`${what} not ready after ${ms} ms:\n${tail.slice(-4000)}`);
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

export async function startMoto(motoServer: string, logDir: string): Promise<Server> {
  const port = await freePort();
  const log = path.join(logDir, "moto.log");
  const proc = spawn(motoServer, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...awsEnv() },
  });
  const out = createWriteStream(log);
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil("moto", proc, async () => (await fetch(`${endpoint}/moto-api/`)).ok, 60_000, log);
  return { endpoint, port, stop: stopper(proc) };
}

export function awsEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    AWS_REGION,
    AWS_DEFAULT_REGION: AWS_REGION,
  };
}

export interface TrinoOptions {
  readonly home: string;
  readonly javaHome: string;
  readonly workDir: string;
  readonly s3Endpoint: string;
  /** Bucket (in moto) holding the Hive file metastore. */
  readonly metastoreBucket: string;
}

/** Trino with one catalog, `hive`, over moto's S3; small heap (the machine is shared). */
export async function startTrino(o: TrinoOptions): Promise<Server> {
  const port = await freePort();
  const etc = path.join(o.workDir, "etc");
  await fs.mkdir(path.join(etc, "catalog"), { recursive: true });
  const lines = (xs: string[]) => `${xs.join("\n")}\n`;
  await fs.writeFile(
    path.join(etc, "node.properties"),
    lines([
      "node.environment=lakeline_test",
      "node.id=lakeline-test-1",
      `node.data-dir=${path.join(o.workDir, "data")}`,
    ]),
  );
  await fs.writeFile(
    path.join(etc, "jvm.config"),
    lines([
      "-server",
      "-Xmx1536M",
      "-XX:+UseSerialGC",
      "-XX:ActiveProcessorCount=2",
      "-XX:+ExitOnOutOfMemoryError",
      "-Djdk.attach.allowAttachSelf=true",
      "-XX:TieredStopAtLevel=1",
    ]),
  );
  await fs.writeFile(
    path.join(etc, "config.properties"),
    lines([
      "coordinator=true",
      "node-scheduler.include-coordinator=true",
      `http-server.http.port=${port}`,
      `discovery.uri=http://127.0.0.1:${port}`,
      "query.max-memory=512MB",
      "query.max-memory-per-node=512MB",
      "task.concurrency=2",
      "catalog.management=static",
    ]),
  );
  await fs.writeFile(
    path.join(etc, "catalog", "hive.properties"),
    lines([
      "connector.name=hive",
      "hive.metastore=file",
      `hive.metastore.catalog.dir=s3://${o.metastoreBucket}/`,
      "hive.non-managed-table-writes-enabled=true",
      // UNLOAD ... WITH (compression = 'SNAPPY') as the export function asks.
      "hive.compression-codec=SNAPPY",
      "fs.native-s3.enabled=true",
      `s3.endpoint=${o.s3Endpoint}`,
      `s3.region=${AWS_REGION}`,
      "s3.path-style-access=true",
      `s3.aws-access-key=${AWS_CREDENTIALS.accessKeyId}`,
      `s3.aws-secret-key=${AWS_CREDENTIALS.secretAccessKey}`,
    ]),
  );
  const log = path.join(o.workDir, "trino.log");
  const out = createWriteStream(log);
  const proc = spawn(
    path.join(o.home, "bin", "launcher"),
    ["run", `--etc-dir=${etc}`, `--data-dir=${path.join(o.workDir, "data")}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, JAVA_HOME: o.javaHome, PATH: `${o.javaHome}/bin:${process.env.PATH}` },
    },
  );
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(
    "trino",
    proc,
    async () => {
      const r = await fetch(`${endpoint}/v1/info`);
      return r.ok && ((await r.json()) as { starting?: boolean }).starting === false;
    },
    240_000,
    log,
  );
  return { endpoint, port, stop: stopper(proc) };
}
