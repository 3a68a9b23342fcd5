import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every CLI command module exports `register(program)`; add new ones here, in help order. Modules
 * are imported on demand: a command loads only its own code (the schema library alone costs ~50 ms
 * of start-up, which `lakeline hash` never needs); help and unknown commands load them all.
 */
export const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["demo", async () => (await import("./demo.js")).register],
  ["ingest", async () => (await import("./ingest.js")).register],
  ["validate", async () => (await import("./validate.js")).register],
  ["query", async () => (await import("./query.js")).register],
  ["export", async () => (await import("./export.js")).register],
  ["hash", async () => (await import("./hash.js")).register],
  ["lineage", async () => (await import("./lineage.js")).register],
  ["schema", async () => (await import("./schema.js")).register],
  ["report", async () => (await import("./report.js")).register],
  ["replay", async () => (await import("./replay.js")).register],
  ["reprocess", async () => (await import("./reprocess.js")).register],
  ["compact", async () => (await import("./compact.js")).register],
  ["features", async () => (await import("./features.js")).register],
];

/** The registrations a command line needs: its command's alone when it names one, else all. */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  if (argv[2] === "--version" || argv[2] === "-V") return [];
  const named = COMMANDS.find(([name]) => name === argv[2]);
  return Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
}
