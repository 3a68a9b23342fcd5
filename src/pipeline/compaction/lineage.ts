/**
 * Each compacted file is an execution of its own in the lineage: OpenLineage START then COMPLETE (or
 * FAIL) of job `compact.<dataset>`, and in ML-Metadata a `Compact` execution whose input is the
 * files it read — one snapshot with its members record, as an export records its table, so the
 * event does not grow with the runs — and whose output is the compacted file.
 */
import { dvcDirHash } from "../../core/hash/dvc.js";
import type { CompactionPlan } from "../../core/warehouse/compaction.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef, LineageRecorder } from "../lineage/recorder.js";
import type { CompactionObserver } from "./compact.js";

/** The files a compaction reads, with the version (md5) lineage knows each by. */
function inputFiles(namespace: string, plan: CompactionPlan): DatasetRef[] {
  const file = (name: string, version: string | undefined, size: number | undefined, rows: number) => ({
    namespace,
    name,
    artifactType: "WarehouseFile" as const,
    ...(version ? { version } : {}),
    ...(size !== undefined ? { size } : {}),
    rowCount: rows,
  });
  return plan.level === 1
    ? plan.runFiles.map((f) => file(f.key, f.md5, f.bytes, f.rows))
    : plan.merged.map((c) => file(c.record.key, c.record.md5, c.record.size, c.record.rows));
}

export function compactionLineage(recorder: LineageRecorder, warehouse: ObjectStore): CompactionObserver {
  return {
    async start(plan, runId, at) {
      const members = inputFiles(warehouse.namespace, plan);
      const snapshot: DatasetRef = {
        namespace: warehouse.namespace,
        name: plan.dataset,
        artifactType: "WarehouseSnapshot",
        version: dvcDirHash(members.map((m) => ({ relpath: m.name, md5: m.version ?? "" }))),
        size: members.reduce((n, m) => n + (m.size ?? 0), 0),
        rowCount: members.reduce((n, m) => n + (m.rowCount ?? 0), 0),
        properties: { files: members.length, ingestDate: plan.ingestDate },
      };
      const handle = await recorder.start({
        runId,
        jobName: `compact.${plan.dataset}`,
        executionType: "Compact",
        eventTime: at,
        inputs: [snapshot],
        inputMembers: [{ snapshot, members }],
        parameters: {
          level: plan.level,
          ingestDate: plan.ingestDate,
          schemaVersion: plan.schemaVersion,
          runs: plan.runs.length,
        },
        contexts: [{ type: "Dataset", name: plan.dataset }],
      });
      return {
        complete: (record, eventTime) =>
          handle.complete({
            eventTime,
            outputs: [
              {
                namespace: warehouse.namespace,
                name: record.key,
                artifactType: "WarehouseFile",
                version: record.md5,
                size: record.size,
                rowCount: record.rows,
                properties: { compaction: record.id, level: record.level, runs: record.runs.length },
              },
            ],
          }),
        fail: (error, eventTime) => handle.fail({ eventTime, error }),
      };
    },
  };
}
