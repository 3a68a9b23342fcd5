import { existsSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { type Command, Option } from "commander";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { LineageNotFoundError, UsageError } from "../../src/core/errors.js";
import type { Direction } from "../../src/core/lineage/graph.js";
import { type LineageFormat, renderLineage } from "../../src/core/lineage/render.js";
import {
  ARTIFACT_TYPES,
  type ArtifactTypeName,
  EXECUTION_TYPES,
  type ExecutionTypeName,
  type Properties,
} from "../../src/core/lineage/types.js";
import {
  findIndexedArtifacts,
  indexedSubgraph,
  lineageIndexReady,
  rebuildLineageIndex,
} from "../../src/pipeline/lineage/lineage-index.js";
import { readOpenLineageEvents } from "../../src/pipeline/lineage/query.js";
import { type ExternalOutput, recordExecution } from "../../src/pipeline/lineage/record-execution.js";
import { hashPath } from "../../src/pipeline/shared/hash-files.js";
import { systemClock } from "../../src/ports/clock.js";
import { toJson } from "../output.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function parseDepth(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--depth must be a whole number ≥ 0, got ${JSON.stringify(value)}`);
  return n;
}

function parseProperties(pairs: readonly string[]): Properties {
  const out: Properties = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--property expects key=value, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(eq + 1);
    const num = Number(raw);
    out[pair.slice(0, eq)] =
      raw === "true" ? true : raw === "false" ? false : raw.trim() !== "" && Number.isFinite(num) ? num : raw;
  }
  return out;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A local path becomes a file:// URI; an existing local file or folder is hashed for its DVC version. */
async function externalOutput(target: string, artifactType: ArtifactTypeName): Promise<ExternalOutput> {
  const local = target.startsWith("file://")
    ? decodeURIComponent(new URL(target).pathname)
    : SCHEME.test(target)
      ? null
      : path.resolve(target);
  const uri = local === null ? target : decodeURI(pathToFileURL(local).href);
  if (local !== null && existsSync(local)) {
    const h = await hashPath(local);
    return { uri, artifactType, version: h.md5, size: h.size };
  }
  return { uri, artifactType };
}

function caseInsensitive<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  const hit = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!hit)
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}`);
  return hit;
}

/** `lakeline lineage …`: stored OpenLineage events, lineage graphs, and recording external steps such as training. */
export function register(program: Command): void {
  const lineage = program
    .command("lineage")
    .description("show lineage: which raw files fed a dataset, export or model (and what they fed)")
    .argument("[target]", "artifact to start from: object key, URI, DVC hash (or prefix), or artifact id")
    .option("--events", "print every stored OpenLineage RunEvent, one JSON per line, by eventTime")
    .addOption(
      new Option("--direction <direction>", "walk upstream, downstream or both")
        .choices(["up", "down", "both"])
        .default("both"),
    )
    .option("--depth <n>", "hops to follow (artifact → execution → artifact)", parseDepth)
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["tree", "json", "dot", "mermaid"])
        .default("tree"),
    )
    .option("--json", "same as --format json")
    .option(
      "--reindex",
      "rebuild the lineage index from every stored record (before answering, if a target is named)",
    )
    .option("--lake <dir>", `local lake folder (default ./.lakeline or $${ENV.lake})`)
    .action(
      async (
        target: string | undefined,
        opts: {
          events?: boolean;
          direction: Direction;
          depth?: number;
          format: LineageFormat;
          json?: boolean;
          lake?: string;
          reindex?: boolean;
        },
      ) => {
        const store = localLakeStores(localConfig({ lake: opts.lake }).lakeDir).lineage;
        if (opts.events) {
          for (const event of await readOpenLineageEvents(store)) process.stdout.write(`${toJson(event)}\n`);
          return;
        }
        if (opts.reindex) {
          const counts = await rebuildLineageIndex(store);
          process.stderr.write(`lineage index: ${counts.artifacts} artifacts, ${counts.events} events\n`);
          if (!target) return;
        }
        if (!target) throw new UsageError("name an artifact (key, URI or hash), or pass --events");
        // A lake recorded before the lineage index is indexed once, on its first query.
        if (!(await lineageIndexReady(store))) await rebuildLineageIndex(store);
        let roots = await findIndexedArtifacts(store, target);
        // A local path the user typed may have been recorded as its file:// URI.
        if (roots.length === 0 && !SCHEME.test(target) && existsSync(target))
          roots = await findIndexedArtifacts(store, decodeURI(pathToFileURL(path.resolve(target)).href));
        if (roots.length === 0)
          throw new LineageNotFoundError(
            `no artifact in the lineage store matches ${JSON.stringify(target)}`,
            { ref: target },
          );
        const graph = await indexedSubgraph(store, roots, {
          direction: opts.direction,
          ...(opts.depth !== undefined ? { depth: opts.depth } : {}),
        });
        process.stdout.write(renderLineage(graph, opts.json ? "json" : opts.format));
      },
    );

  lineage
    .command("record")
    .description("record a step that ran outside lakeline (e.g. training) so lineage reaches its outputs")
    .requiredOption("--execution <type>", `execution type (${EXECUTION_TYPES.join(", ")})`)
    .requiredOption(
      "--input <ref>",
      "input artifact already recorded (key, URI or hash); repeatable",
      collect,
    )
    .requiredOption("--output <uri>", "output URI or local path; repeatable", collect)
    .option("--output-type <type>", `artifact type of the outputs (${ARTIFACT_TYPES.join(", ")})`, "Model")
    .option("--property <key=value>", "execution parameter; repeatable", collect, [])
    .option("--job <name>", "OpenLineage job name (default: <execution>.<output name>)")
    .option("--experiment <name>", "group the run under an Experiment context")
    .option("--lake <dir>", `local lake folder (default ./.lakeline or $${ENV.lake})`)
    .option("--json", "print the recorded run as JSON")
    .action(async (_opts: unknown, cmd: Command) => {
      // `--lake` and `--json` also exist on `lineage`, which claims them wherever they appear.
      const opts = cmd.optsWithGlobals<{
        execution: string;
        input: string[];
        output: string[];
        outputType: string;
        property: string[];
        job?: string;
        experiment?: string;
        lake?: string;
        json?: boolean;
      }>();
      const store = localLakeStores(localConfig({ lake: opts.lake }).lakeDir).lineage;
      const executionType: ExecutionTypeName = caseInsensitive(
        opts.execution,
        EXECUTION_TYPES,
        "--execution",
      );
      const artifactType: ArtifactTypeName = caseInsensitive(
        opts.outputType,
        ARTIFACT_TYPES,
        "--output-type",
      );
      const outputs = await Promise.all(opts.output.map((o) => externalOutput(o, artifactType)));
      const recorded = await recordExecution(store, {
        executionType,
        inputs: opts.input,
        outputs,
        properties: parseProperties(opts.property),
        eventTime: systemClock.now(),
        ...(opts.job ? { jobName: opts.job } : {}),
        ...(opts.experiment ? { experiment: opts.experiment } : {}),
      });
      if (opts.json) {
        process.stdout.write(`${toJson(recorded)}\n`);
        return;
      }
      process.stdout.write(
        `recorded ${executionType} ${recorded.jobName} run ${recorded.runId}\n` +
          recorded.inputs.map((a) => `  input  ${a.uri}${a.version ? ` @ ${a.version}` : ""}\n`).join("") +
          outputs.map((o) => `  output ${o.uri}${o.version ? ` @ ${o.version}` : ""}\n`).join(""),
      );
    });
}
