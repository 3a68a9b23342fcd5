/**
 * CloudWatch metrics for ingest runs (Powertools, embedded metric format): rows read, written and
 * quarantined, and one count per outcome, so alarms and dashboards see data quality, not just errors.
 */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { IngestResult } from "../../src/contract/records.js";

const OUTCOME: Record<IngestResult["status"], string> = {
  ok: "BlobsIngested",
  rejected: "BlobsRejected",
  duplicate: "BlobsDuplicate",
  routed: "BlobsRouted",
  failed: "BlobsFailed",
};

export function recordIngestMetrics(metrics: Metrics, result: IngestResult): void {
  metrics.addMetric("RowsRead", MetricUnit.Count, result.rowsRead);
  metrics.addMetric("RowsWritten", MetricUnit.Count, result.rowsWritten);
  metrics.addMetric("RowsQuarantined", MetricUnit.Count, result.rowsQuarantined);
  metrics.addMetric(OUTCOME[result.status], MetricUnit.Count, 1);
}
