/** Builders of OpenLineage 2-0-2 RunEvents from lakeline's run descriptions (pure). */
import {
  type BaseFacet,
  commonDatasetFacets,
  counts,
  dataQualityMetricsFacet,
  FACET_SCHEMA_URLS,
  type FacetMap,
  facet,
} from "./facets.js";
import { JOB_NAMESPACE } from "./ids.js";
import type { DatasetRef, ExecutionTypeName, ParentRef } from "./types.js";

export const OPENLINEAGE_SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
export const DEFAULT_PRODUCER = "https://github.com/lakeline/lakeline/tree/0.1.0";

export type RunEventType = "START" | "RUNNING" | "COMPLETE" | "ABORT" | "FAIL" | "OTHER";

export interface OpenLineageDataset {
  readonly namespace: string;
  readonly name: string;
  readonly facets?: FacetMap;
  readonly inputFacets?: FacetMap;
  readonly outputFacets?: FacetMap;
}

export interface RunEvent {
  readonly eventType: RunEventType;
  readonly eventTime: string;
  readonly producer: string;
  readonly schemaURL: string;
  readonly run: { readonly runId: string; readonly facets?: FacetMap };
  readonly job: { readonly namespace: string; readonly name: string; readonly facets?: FacetMap };
  readonly inputs: readonly OpenLineageDataset[];
  readonly outputs: readonly OpenLineageDataset[];
}

export function inputDataset(producer: string, ref: DatasetRef): OpenLineageDataset {
  const inputFacets: FacetMap = {};
  const { rowCount, size } = counts(ref);
  if (ref.statistics) {
    inputFacets.dataQualityMetrics = dataQualityMetricsFacet(
      producer,
      FACET_SCHEMA_URLS.inputDataQualityMetrics,
      ref.statistics,
      rowCount ?? ref.statistics.rowsRead,
      size,
    );
  }
  if (rowCount !== undefined || size !== undefined) {
    inputFacets.inputStatistics = facet(producer, FACET_SCHEMA_URLS.inputStatistics, counts(ref));
  }
  return {
    namespace: ref.namespace,
    name: ref.name,
    facets: commonDatasetFacets(producer, ref),
    ...(Object.keys(inputFacets).length > 0 ? { inputFacets } : {}),
  };
}

export function outputDataset(producer: string, ref: DatasetRef): OpenLineageDataset {
  const facets = commonDatasetFacets(producer, ref);
  const { rowCount, size } = counts(ref);
  if (ref.statistics) {
    facets.dataQualityMetrics = dataQualityMetricsFacet(
      producer,
      FACET_SCHEMA_URLS.datasetDataQualityMetrics,
      ref.statistics,
      rowCount ?? ref.statistics.rowsValid,
      size,
    );
  }
  const outputFacets: FacetMap = {};
  if (rowCount !== undefined || size !== undefined) {
    outputFacets.outputStatistics = facet(producer, FACET_SCHEMA_URLS.outputStatistics, counts(ref));
  }
  return {
    namespace: ref.namespace,
    name: ref.name,
    facets,
    ...(Object.keys(outputFacets).length > 0 ? { outputFacets } : {}),
  };
}

export interface RunEventArgs {
  readonly eventType: RunEventType;
  readonly eventTime: Date;
  readonly producer: string;
  readonly runId: string;
  readonly jobName: string;
  readonly executionType: ExecutionTypeName;
  readonly inputs: readonly DatasetRef[];
  readonly outputs: readonly DatasetRef[];
  readonly parent?: ParentRef;
  readonly error?: Error;
}

function errorFacet(producer: string, error: Error): BaseFacet {
  return facet(producer, FACET_SCHEMA_URLS.errorMessage, {
    message: error.message || error.name,
    programmingLanguage: "TypeScript",
    ...(error.stack ? { stackTrace: error.stack } : {}),
  });
}

export function buildRunEvent(args: RunEventArgs): RunEvent {
  const { producer } = args;
  const runFacets: FacetMap = {};
  if (args.parent) {
    runFacets.parent = facet(producer, FACET_SCHEMA_URLS.parent, {
      run: { runId: args.parent.runId },
      job: { namespace: JOB_NAMESPACE, name: args.parent.jobName },
    });
  }
  if (args.error) runFacets.errorMessage = errorFacet(producer, args.error);
  return {
    eventType: args.eventType,
    eventTime: args.eventTime.toISOString(),
    producer,
    schemaURL: OPENLINEAGE_SCHEMA_URL,
    run: { runId: args.runId, ...(Object.keys(runFacets).length > 0 ? { facets: runFacets } : {}) },
    job: {
      namespace: JOB_NAMESPACE,
      name: args.jobName,
      facets: {
        jobType: facet(producer, FACET_SCHEMA_URLS.jobType, {
          processingType: "BATCH",
          integration: "LAKELINE",
          jobType: args.executionType.toUpperCase(),
        }),
      },
    },
    inputs: args.inputs.map((r) => inputDataset(producer, r)),
    outputs: args.outputs.map((r) => outputDataset(producer, r)),
  };
}
