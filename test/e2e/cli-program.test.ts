/**
 * The command line itself: help lists every command, a command's own help and work need only its
 * module (commands load on demand), and usage errors exit 64 with a hint.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, commandsFor } from "../../cli/commands/index.js";
import { runCli, VEGA } from "../support/cli.js";

const NAMES = [
  "demo",
  "ingest",
  "validate",
  "query",
  "export",
  "hash",
  "lineage",
  "schema",
  "report",
  "replay",
  "reprocess",
  "compact",
  "features",
];

describe("the lakeline program", () => {
  it("lists every command in its help", async () => {
    const r = await runCli("--help");
    expect(r.code).toBe(0);
    for (const name of NAMES) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    expect(COMMANDS.map(([name]) => name)).toEqual(NAMES);
  });

  it("loads only the named command, and all of them for help or an unknown word", async () => {
    expect(await commandsFor(["node", "lakeline", "hash", "x"])).toHaveLength(1);
    expect(await commandsFor(["node", "lakeline", "--version"])).toHaveLength(0);
    expect(await commandsFor(["node", "lakeline", "--help"])).toHaveLength(NAMES.length);
    expect(await commandsFor(["node", "lakeline", "nosuch"])).toHaveLength(NAMES.length);
  });

  it("runs a command and shows a command's own help", async () => {
    const hash = await runCli("hash", path.join(VEGA, "penguins.json"));
    expect(hash.code).toBe(0);
    expect(hash.stdout.trim()).toMatch(/^[0-9a-f]{32}$/);
    const help = await runCli("hash", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: lakeline hash [options] <path>");
  });

  it("exits 64 with a hint on an unknown command", async () => {
    const r = await runCli("nosuch");
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("unknown command 'nosuch'");
    expect(r.stderr).toContain("--help");
  });

  it("reports a malformed or too small LAKELINE_DUCKDB_MEMORY as a usage error", async () => {
    process.env.LAKELINE_DUCKDB_MEMORY = "lots";
    try {
      const r = await runCli("validate", path.join(VEGA, "penguins.json"), "--dataset", "penguins");
      expect(r.code).toBe(64);
      expect(r.stderr).toContain('LAKELINE_DUCKDB_MEMORY: not a memory size: "lots"');
      process.env.LAKELINE_DUCKDB_MEMORY = "64MB";
      const low = await runCli("validate", path.join(VEGA, "penguins.json"), "--dataset", "penguins");
      expect(low.code).toBe(64);
      expect(low.stderr).toContain("LAKELINE_DUCKDB_MEMORY: 64MB is below the 96MB");
    } finally {
      delete process.env.LAKELINE_DUCKDB_MEMORY;
    }
  });

  it("ends quietly when its reader closes the pipe early (| head)", async () => {
    const child = spawn(process.execPath, ["bin/lakeline.mjs", "hash", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(code).toBe(0);
  });
});
