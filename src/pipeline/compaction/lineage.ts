/**
 * Each compacted file is an execution of its own in the lineage: OpenLineage START then COMPLETE (or
 * FAIL) of job `compact.<dataset>`, and in ML-Metadata a `Compact` execution whose input is the
 * files it read — one snapshot with its members record, as an export records its table, so the
 * event does not grow with the runs — and whose output is the compacted file.
 */
import { type SnapshotFile, warehouseSnapshot } from "../../core/lineage/snapshot-members.js";
import type { CompactionPlan } from "../../core/warehouse/compaction.js";
import type { ObjectStore } from "../../ports/object-store.js";
import type { DatasetRef, LineageRecorder } from "../lineage/recorder.js";
import type { CompactionObserver } from "./compact.js";

/** The files a compaction reads, with the md5 lineage knows each by. */
function inputFiles(plan: CompactionPlan): SnapshotFile[] {
  return plan.level === 1
    ? plan.runFiles.map((f) => ({ key: f.key, md5: f.md5, size: f.bytes, rows: f.rows }))
    : plan.merged.map(({ record: c }) => ({ key: c.key, md5: c.md5, size: c.size, rows: c.rows }));
}

/** A file read, as the snapshot's member. */
const memberRef = (namespace: string, f: SnapshotFile): DatasetRef => ({
  namespace,
  name: f.key,
  artifactType: "WarehouseFile",
  ...(f.md5 ? { version: f.md5 } : {}),
  ...(f.size !== undefined ? { size: f.size } : {}),
  rowCount: f.rows,
});

export function compactionLineage(recorder: LineageRecorder, warehouse: ObjectStore): CompactionObserver {
  return {
    async start(plan, runId, at) {
      const files = inputFiles(plan);
      const members = files.map((f) => memberRef(warehouse.namespace, f));
      const snapshot = warehouseSnapshot(warehouse.namespace, plan.dataset, files, {
        ingestDate: plan.ingestDate,
      });
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
