/**
 * Names written under a folder while a shipped function runs, seen by inotify in a process of its
 * own: Node's recursive watch lists each new folder as it appears, and a scratch folder the function
 * has already removed makes that listing throw ENOENT from inside the watcher. In the test process
 * vitest reports that as an unhandled error; here the watcher ignores it (the folder is gone, so
 * nothing under it remains to be seen) and fails on any other error.
 */
import { spawn } from "node:child_process";

const WATCHER = `
const { watch } = require("node:fs");
const gone = (e) => e && e.code === "ENOENT";
process.on("uncaughtException", (e) => { if (gone(e)) return; console.error(e); process.exit(2); });
const w = watch(process.argv[1], { recursive: true }, (_e, name) => name && process.stdout.write(name + "\\n"));
w.on("error", (e) => { if (!gone(e)) { console.error(e); process.exit(2); } });
process.stdout.write("@@ready\\n");
process.stdin.on("end", () => { w.close(); process.exit(0); });
process.stdin.resume();
`;

export interface TmpWatch {
  /** Stops watching (after events already queued have arrived) and returns the names seen. */
  stop(): Promise<string[]>;
}

/** Starts watching `dir` recursively; resolves once the watch is in place. */
export async function watchWrites(dir: string): Promise<TmpWatch> {
  const child = spawn(process.execPath, ["-e", WATCHER, dir], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("@@ready\n")) resolve();
    });
    void exited.then((code) => reject(new Error(`tmp watcher exited ${code} before starting: ${err}`)));
  });
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 200)); // events already queued
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`tmp watcher failed (exit ${code}): ${err}`);
      return out.split("\n").filter((l) => l !== "" && l !== "@@ready");
    },
  };
}
