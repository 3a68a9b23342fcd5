import type { Command } from "commander";
import { register as demo } from "./demo.js";
import { register as exportCommand } from "./export.js";
import { register as hash } from "./hash.js";
import { register as ingest } from "./ingest.js";
import { register as lineage } from "./lineage.js";
import { register as query } from "./query.js";
import { register as replay } from "./replay.js";
import { register as report } from "./report.js";
import { register as schema } from "./schema.js";
import { register as validate } from "./validate.js";

/** Every CLI command module exports `register(program)`; add new ones here. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  demo,
  ingest,
  validate,
  query,
  exportCommand,
  hash,
  lineage,
  schema,
  report,
  replay,
];
