/** What discovery reports about a feature view (see src/pipeline/features/catalog.ts). */
import type { FeatureStatistics } from "../stats/types.js";

export interface CatalogFeature {
  readonly name: string;
  readonly column: string;
  readonly type: string;
  readonly description: string;
  readonly owner: string;
  /** From the latest TRAINING batch's statistics, if any. */
  readonly statistics: Pick<FeatureStatistics, "present" | "missing" | "numeric" | "string"> | null;
}

export interface CatalogView {
  readonly view: string;
  readonly version: number;
  readonly dataset: string;
  readonly description: string | null;
  readonly owner: string | null;
  readonly entities: readonly string[];
  readonly eventTime: string;
  readonly ttl: string | null;
  readonly environment: string;
  readonly features: readonly CatalogFeature[];
  readonly freshness: {
    readonly rows: number;
    readonly entities: number;
    readonly latestEventTime: string | null;
    readonly latestIngestedAt: string | null;
    readonly onlineEntities: number;
  };
  readonly lineage: {
    readonly runs: number;
    readonly rawBlobs: readonly string[];
    readonly statisticsFrom: string | null;
    readonly trainingSets: readonly {
      readonly name: string;
      readonly version: string;
      readonly asOf: string;
      readonly rows: number;
    }[];
  };
}
