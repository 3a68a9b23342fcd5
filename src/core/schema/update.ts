/**
 * A draft that starts from the previous version, as `tfdv.update_schema` does: everything a person
 * decided (label, event time, environments, environment lists, policy, CSV dialect, drift
 * comparators, descriptions, domains) is kept, and the data may only relax it:
 *  - a required feature some rows miss becomes optional (`minCount: 1`);
 *  - an INT feature holding fractions becomes FLOAT (a widening) in a new column `<column>_float`;
 *  - a categorical domain gains the values seen outside it (or is dropped when the sample holds
 *    more distinct values than were counted — a domain that cannot be listed cannot be kept);
 *  - numeric ranges and list valency widen to what was observed;
 *  - features new in the data are added as `inferSchema` drafts them, but optional, so data
 *    written under the previous version still reads (BACKWARD compatibility).
 * A feature missing from the sample is kept as it is: one file need not carry every feature.
 */
import { defaultColumnName } from "./format.js";
import {
  type InferenceFeatureStatistics,
  type InferenceStatistics,
  type InferOptions,
  inferFeature,
  uniqueColumn,
} from "./infer-feature.js";
import type { DatasetSchema, Feature, FloatDomain, StringDomain } from "./types.js";

export function updateSchema(
  previous: DatasetSchema,
  stats: InferenceStatistics,
  options: InferOptions,
): DatasetSchema {
  const byName = new Map(stats.features.map((f) => [f.name, f]));
  const columns = new Set(previous.features.map((f) => f.column));
  const kept = previous.features.map((f) => {
    const s = byName.get(f.name);
    return s ? relax(f, s) : f;
  });
  const known = new Set(previous.features.map((f) => f.name));
  const added = stats.features
    .filter((s) => !known.has(s.name))
    .map((s) => {
      const f = inferFeature(s, uniqueColumn(defaultColumnName(s.name), columns), {
        ...options,
        previous: undefined,
      });
      return { ...f, presence: { minCount: 1 } };
    });
  const csv = previous.csv ?? options.csv;
  return {
    ...previous,
    version: options.version,
    features: [...kept, ...added],
    ...(csv ? { csv } : {}),
  };
}

function relax(f: Feature, s: InferenceFeatureStatistics): Feature {
  let out: Feature = f;
  const rows = s.present + s.missing;
  const presence = f.presence ?? {};
  const fractionBroken =
    presence.minFraction !== undefined && rows > 0 && s.present / rows < presence.minFraction;
  const countBroken = presence.minCount !== undefined && s.present < presence.minCount;
  if (fractionBroken || countBroken) {
    const minCount = Math.min(presence.minCount ?? 1, s.present);
    const keepFraction = !fractionBroken && presence.minFraction !== undefined;
    out = {
      ...out,
      presence: {
        ...(keepFraction ? { minFraction: presence.minFraction } : {}),
        ...(minCount > 0 ? { minCount } : {}),
      },
    };
  }
  // A column keeps its Parquet type (Athena reads INT64 files only as integers): see compat.ts.
  if (f.type === "INT" && s.type === "FLOAT") out = { ...out, type: "FLOAT", column: `${f.column}_float` };
  const domain = f.domain;
  if (domain && "values" in domain && s.string) {
    const seen = s.string.topValues.map((v) => v.value);
    const complete = seen.length >= (s.distinctApprox ?? seen.length);
    const missing = seen.filter((v) => !(domain as StringDomain).values.includes(v));
    if (!complete) {
      const { domain: _dropped, ...rest } = out;
      out = rest;
    } else if (missing.length > 0) {
      out = { ...out, domain: { values: [...domain.values, ...missing].sort() } };
    }
  } else if (domain && s.numeric && (out.type === "INT" || out.type === "FLOAT")) {
    const d = domain as FloatDomain;
    const min = d.min !== undefined && s.numeric.min < d.min ? s.numeric.min : d.min;
    const max = d.max !== undefined && s.numeric.max > d.max ? s.numeric.max : d.max;
    const nan =
      out.type === "FLOAT" && s.numeric.nonFinite > 0 && d.disallowNaN !== false
        ? { disallowNaN: false }
        : {};
    if (min !== d.min || max !== d.max || "disallowNaN" in nan)
      out = {
        ...out,
        domain: {
          ...d,
          ...(min !== undefined ? { min } : {}),
          ...(max !== undefined ? { max } : {}),
          ...nan,
        },
      };
  }
  if (f.valueCount && s.valueCount) {
    const min = f.valueCount.min !== undefined ? Math.min(f.valueCount.min, s.valueCount.min) : undefined;
    const max = f.valueCount.max !== undefined ? Math.max(f.valueCount.max, s.valueCount.max) : undefined;
    out = {
      ...out,
      valueCount: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) },
    };
  }
  return out;
}
