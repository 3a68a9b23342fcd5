/** OpenLineage facets lakeline emits, each stamped with the schema (spec 2-0-2 facet set) it conforms to. */
import type { DatasetStatistics, FeatureStatistics } from "../stats/types.js";
import type { DatasetRef, FieldRef } from "./types.js";

const FACETS = "https://openlineage.io/spec/facets";

/** `_schemaURL` of every facet lakeline writes: `<facet file $id>#/$defs/<facet>`. */
export const FACET_SCHEMA_URLS = {
  parent: `${FACETS}/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet`,
  errorMessage: `${FACETS}/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet`,
  jobType: `${FACETS}/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet`,
  schema: `${FACETS}/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet`,
  dataSource: `${FACETS}/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet`,
  version: `${FACETS}/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet`,
  datasetDataQualityMetrics: `${FACETS}/1-0-0/DataQualityMetricsDatasetFacet.json#/$defs/DataQualityMetricsDatasetFacet`,
  inputDataQualityMetrics: `${FACETS}/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet`,
  inputStatistics: `${FACETS}/1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet`,
  outputStatistics: `${FACETS}/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet`,
} as const;

export interface BaseFacet {
  readonly _producer: string;
  readonly _schemaURL: string;
  readonly [field: string]: unknown;
}

export type FacetMap = Record<string, BaseFacet>;

export function facet(producer: string, schemaURL: string, body: Record<string, unknown>): BaseFacet {
  return { _producer: producer, _schemaURL: schemaURL, ...body };
}

export function schemaFacet(producer: string, fields: readonly FieldRef[]): BaseFacet {
  return facet(producer, FACET_SCHEMA_URLS.schema, {
    fields: fields.map((f, i) => ({
      name: f.name,
      type: f.type,
      ...(f.description ? { description: f.description } : {}),
      ordinal_position: i + 1,
    })),
  });
}

/** `uri` must be an RFC 3986 URI, so characters such as spaces in a local lake path are percent-encoded. */
export function dataSourceFacet(producer: string, namespace: string): BaseFacet {
  return facet(producer, FACET_SCHEMA_URLS.dataSource, { name: namespace, uri: encodeURI(namespace) });
}

const finite = (n: number | undefined): n is number => typeof n === "number" && Number.isFinite(n);
const int = (n: number) => Math.max(0, Math.round(n));

function quantileKey(i: number, n: number): string {
  return String(Number((n === 1 ? 0.5 : i / (n - 1)).toPrecision(6)));
}

function columnMetrics(f: FeatureStatistics): Record<string, unknown> {
  const m: Record<string, unknown> = {
    nullCount: int(f.missing),
    count: f.present,
  };
  if (f.distinctApprox !== undefined) m.distinctCount = int(f.distinctApprox);
  const num = f.numeric;
  if (num) {
    if (finite(num.min)) m.min = num.min;
    if (finite(num.max)) m.max = num.max;
    if (finite(num.sum)) m.sum = num.sum;
    const quantiles: Record<string, number> = {};
    num.quantiles.forEach((q, i) => {
      if (finite(q)) quantiles[quantileKey(i, num.quantiles.length)] = q;
    });
    if (Object.keys(quantiles).length > 0) m.quantiles = quantiles;
  }
  return m;
}

/** Data-quality metrics (input or dataset flavour; the body is the same) from batch statistics. */
export function dataQualityMetricsFacet(
  producer: string,
  schemaURL: string,
  stats: DatasetStatistics,
  rowCount: number,
  bytes: number | undefined,
): BaseFacet {
  const metrics: Record<string, unknown> = {};
  for (const f of stats.features) metrics[f.column || f.name] = columnMetrics(f);
  return facet(producer, schemaURL, {
    rowCount: int(rowCount),
    ...(finite(bytes) ? { bytes: int(bytes) } : {}),
    columnMetrics: metrics,
  });
}

/** Facets every dataset carries: where it lives, its DVC version, its schema. */
export function commonDatasetFacets(producer: string, ref: DatasetRef): FacetMap {
  const facets: FacetMap = { dataSource: dataSourceFacet(producer, ref.namespace) };
  if (ref.version)
    facets.version = facet(producer, FACET_SCHEMA_URLS.version, { datasetVersion: ref.version });
  if (ref.fields && ref.fields.length > 0) facets.schema = schemaFacet(producer, ref.fields);
  return facets;
}

export function counts(ref: DatasetRef): { rowCount?: number; size?: number } {
  return {
    ...(finite(ref.rowCount) ? { rowCount: int(ref.rowCount) } : {}),
    ...(finite(ref.size) ? { size: int(ref.size) } : {}),
  };
}
