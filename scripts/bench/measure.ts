/**
 * Whole-process measurement: wall time, peak RSS and CPU time of one child process. GNU time reports
 * the child's own rusage (max RSS, user+sys); without it, VmHWM is polled from /proc, which can
 * miss a last-moment peak and gives no CPU time.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

export interface Sample {
  readonly wallS: number;
  readonly rssMb: number;
  /** user + sys seconds, all threads (undefined when GNU time is missing). */
  readonly cpuS?: number;
  readonly stdout: string;
}

export interface Command {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** Throws when the run did not do what it should (exit code, output). */
  readonly check?: (stdout: string, code: number) => void;
}

const GNU_TIME = "/usr/bin/time";
export const measureMethod = existsSync(GNU_TIME)
  ? "GNU time (wall, max RSS, user+sys)"
  : "/proc VmHWM polling";

function runChild(
  command: Command,
  argv: readonly string[],
  onSpawn: (pid: number | undefined) => void = () => {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...command.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    onSpawn(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      // Outputs can be large (md5 lines, JSON); the checks need only the start.
      if (stdout.length < 1 << 20) stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8192);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function withGnuTime(command: Command): Promise<Sample> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "lakeline-bench-time-"));
  const out = path.join(dir, "time");
  try {
    const started = performance.now();
    const r = await runChild(command, [
      GNU_TIME,
      "-f",
      "%e %M %U %S",
      "-o",
      out,
      command.cmd,
      ...command.args,
    ]);
    const wallS = (performance.now() - started) / 1000;
    if (r.code !== 0 && !command.check) throw childFailure(command, r.code, r.stderr);
    command.check?.(r.stdout, r.code);
    // GNU time may prefix "Command exited with non-zero status"; the figures are the last line.
    const last = (await fs.readFile(out, "utf8")).trim().split("\n").at(-1)!;
    const [, maxKb, user, sys] = last.split(/\s+/).map(Number);
    return { wallS, rssMb: maxKb! / 1024, cpuS: user! + sys!, stdout: r.stdout };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function withProcPolling(command: Command): Promise<Sample> {
  const started = performance.now();
  let peakKb = 0;
  let poll: NodeJS.Timeout | undefined;
  const r = await runChild(command, [command.cmd, ...command.args], (pid) => {
    poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // Gone already.
      }
    }, 20);
  }).finally(() => clearInterval(poll));
  const wallS = (performance.now() - started) / 1000;
  if (r.code !== 0 && !command.check) throw childFailure(command, r.code, r.stderr);
  command.check?.(r.stdout, r.code);
  return { wallS, rssMb: peakKb / 1024, stdout: r.stdout };
}

function childFailure(command: Command, code: number, stderr: string): Error {
  return new Error(`bench: \`${[command.cmd, ...command.args].join(" ")}\` exited ${code}\n${stderr}`);
}

export function measure(command: Command): Promise<Sample> {
  return measureMethod.startsWith("GNU") ? withGnuTime(command) : withProcPolling(command);
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
