/**
 * `lakeline report <dataset|runId>`: where the HTML report of a dataset's latest batch (or of one
 * run) lives. The ingest engine writes `_reports/<dataset>/<ingest-ts>-<runId>/{statistics.json,
 * anomalies.json,report.html}` into the warehouse zone; ingest timestamps are UTC ISO-8601, so
 * key order is time order.
 */
import type { Command } from "commander";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { ENV, localConfig } from "../../src/contract/env.js";
import { REPORTS_PREFIX } from "../../src/contract/keys.js";
import { LakelineError } from "../../src/core/errors.js";
import type { ObjectStore } from "../../src/ports/object-store.js";
import { toJson } from "../output.js";

const DATASET_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export interface ReportLocation {
  readonly dataset: string;
  /** `<ingest-ts>-<runId>`. */
  readonly batch: string;
  readonly report: string;
  readonly statistics: string;
  readonly anomalies: string;
}

/**
 * Reports for a dataset name, newest last; or, when the argument is not a dataset with reports,
 * the report of the run whose id ends the batch folder name.
 */
export async function findReports(store: ObjectStore, datasetOrRunId: string): Promise<ReportLocation[]> {
  const all: ReportLocation[] = [];
  for await (const o of store.list(REPORTS_PREFIX)) {
    const parts = o.key.split("/");
    if (parts.length !== 4 || parts[3] !== "report.html") continue;
    const [, dataset, batch] = parts as [string, string, string, string];
    const dir = `${REPORTS_PREFIX}${dataset}/${batch}/`;
    all.push({
      dataset,
      batch,
      report: o.key,
      statistics: `${dir}statistics.json`,
      anomalies: `${dir}anomalies.json`,
    });
  }
  all.sort((a, b) => (a.batch < b.batch ? -1 : a.batch > b.batch ? 1 : 0));
  const ofDataset = DATASET_NAME.test(datasetOrRunId) ? all.filter((r) => r.dataset === datasetOrRunId) : [];
  return ofDataset.length > 0 ? ofDataset : all.filter((r) => r.batch.endsWith(`-${datasetOrRunId}`));
}

export function register(program: Command): void {
  program
    .command("report")
    .description("Print the path of the latest batch report of a dataset, or of one run's report")
    .argument("<dataset|runId>", "dataset name (latest report) or ingest run id")
    .option("--lake <dir>", `embedded lake folder (default ./.lakeline or $${ENV.lake})`)
    .option("--json", "machine-readable output (paths of the report, statistics and anomalies)")
    .action(async (target: string, opts: { lake?: string; json?: boolean }) => {
      const { lakeDir } = localConfig({ lake: opts.lake });
      const store = localLakeStores(lakeDir).warehouse;
      const reports = await findReports(store, target);
      const latest = reports.at(-1);
      if (!latest)
        throw new LakelineError(
          `no report found for ${JSON.stringify(target)} under ${lakeDir}/warehouse/${REPORTS_PREFIX}`,
          { target, lakeDir },
        );
      const local = (key: string) => store.localPath?.(key) ?? `${store.namespace}/${key}`;
      if (opts.json) {
        process.stdout.write(
          `${toJson(
            {
              dataset: latest.dataset,
              batch: latest.batch,
              report: local(latest.report),
              statistics: local(latest.statistics),
              anomalies: local(latest.anomalies),
              reports: reports.length,
            },
            true,
          )}\n`,
        );
        return;
      }
      process.stdout.write(`${local(latest.report)}\n`);
    });
}
