/**
 * Schema evolution rules, in the vocabulary of schema registries (Confluent, Avro):
 *
 *  - BACKWARD — the NEW version reads data written under the OLD one (the warehouse table, built
 *    from the newest version, reads every older Parquet file; a rollback-free deploy). So:
 *      · an added feature must be optional (no presence.minFraction of 1) or carry a `default`;
 *      · removing a feature is fine (its old values are simply not read);
 *      · a type change is breaking (INT → FLOAT in place too: see the warehouse rule below);
 *      · a domain may only widen: every value the old domain allowed the new one allows
 *        (categorical values kept, min/max not tightened, valency bounds not tightened);
 *      · an optional feature becoming required (in some environment) needs a `default`.
 *  - FORWARD — the OLD version reads data written under the NEW one (producers upgrade first):
 *      · removing a feature the old version requires is breaking, adding one is fine;
 *      · a type change is breaking unless it narrows (FLOAT → INT);
 *      · a domain may only narrow: widening lets new data through that old readers reject;
 *      · a required feature becoming optional is breaking.
 *  - FULL — both.
 *
 * In every mode: a feature whose warehouse column changes (same name, different column) is
 * breaking — old Parquet files hold the old column name; so is a column reused for a different
 * feature of a different type, a list feature becoming scalar or back, and a changed timestamp
 * format. The registry itself must hold versions 1…N without gaps, each naming its folder's dataset.
 *
 * The warehouse rule: a column keeps its Parquet type. Athena reads a Parquet column only through
 * its own type (or INT → BIGINT, FLOAT → DOUBLE, which lakeline never writes), so an INT column
 * (INT64 files) cannot become FLOAT (DOUBLE) in place, though DuckDB would read it. Widening INT to
 * FLOAT moves the feature to a new column instead — the one column move allowed — and
 * `lakeline reprocess <dataset> --all` gives the current state the new column for older blobs too.
 */
import {
  type DatasetSchema,
  type EnvironmentName,
  type Feature,
  featureInEnvironment,
  isList,
  isRequired,
} from "./types.js";

export type CompatibilityMode = "BACKWARD" | "FORWARD" | "FULL";
export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = ["BACKWARD", "FORWARD", "FULL"];

/** Breaking changes from `older` to `newer` under `mode`; [] = compatible. */
export function compatibilityProblems(
  older: DatasetSchema,
  newer: DatasetSchema,
  mode: CompatibilityMode,
): string[] {
  const out: string[] = [];
  const at = `v${older.version}→v${newer.version}`;
  if (older.dataset !== newer.dataset)
    out.push(`${at}: dataset changed from ${older.dataset} to ${newer.dataset}`);
  if (newer.version <= older.version)
    out.push(`${at}: the newer version number must be greater than the older one`);
  const backward = mode !== "FORWARD";
  const forward = mode !== "BACKWARD";
  const envs = environments(older, newer);
  const olderByName = new Map(older.features.map((f) => [f.name, f]));
  const newerByName = new Map(newer.features.map((f) => [f.name, f]));

  for (const f of newer.features) {
    const o = olderByName.get(f.name);
    if (o) {
      out.push(...featureChanges(at, older, o, newer, f, envs, backward, forward));
    } else if (backward && f.default === undefined) {
      const requiredIn = envs.filter((e) => featureInEnvironment(newer, f, e) && isRequired(f));
      if (requiredIn.length > 0) {
        out.push(
          `${at} BACKWARD: added feature ${q(f.name)} is required (presence.minFraction 1) in ${requiredIn.join(", ")} ` +
            "but has no default, and data written under the older version lacks it",
        );
      }
    }
  }
  if (forward) {
    for (const o of older.features) {
      if (newerByName.has(o.name)) continue;
      const requiredIn = envs.filter((e) => featureInEnvironment(older, o, e) && isRequired(o));
      if (requiredIn.length > 0) {
        out.push(
          `${at} FORWARD: removed feature ${q(o.name)} is required by the older version in ${requiredIn.join(", ")}`,
        );
      }
    }
  }
  out.push(...columnReuse(at, older, newer));
  return out;
}

function featureChanges(
  at: string,
  older: DatasetSchema,
  o: Feature,
  newer: DatasetSchema,
  n: Feature,
  envs: readonly EnvironmentName[],
  backward: boolean,
  forward: boolean,
): string[] {
  const out: string[] = [];
  const name = q(n.name);
  const widened = o.type === "INT" && n.type === "FLOAT";
  const freshColumn = !older.features.some((f) => f.column === n.column);
  if (o.column !== n.column && !(widened && freshColumn))
    out.push(
      `${at}: feature ${name} moved from column ${o.column} to ${n.column}; older files hold ${o.column}`,
    );
  if (widened && o.column === n.column)
    out.push(
      `${at}: feature ${name} changed type INT → FLOAT in column ${n.column}: Athena cannot read the INT64 Parquet ` +
        `files written under v${older.version} through a DOUBLE column. Give the FLOAT feature a new column ` +
        `(e.g. "column": "${n.column}_float"), then run \`lakeline reprocess ${newer.dataset} --all\` so the ` +
        `current state holds every blob in it`,
    );
  if (isList(o) !== isList(n))
    out.push(
      `${at}: feature ${name} changed from ${isList(o) ? "a list" : "a scalar"} to ${isList(n) ? "a list" : "a scalar"}`,
    );
  if (o.type !== n.type && !(widened && o.column === n.column)) {
    if (backward && !reads(n.type, o.type))
      out.push(
        `${at} BACKWARD: feature ${name} changed type ${o.type} → ${n.type}, which cannot read older ${o.type} values (only INT → FLOAT widens, into a new column)`,
      );
    if (forward && !reads(o.type, n.type))
      out.push(
        `${at} FORWARD: feature ${name} changed type ${o.type} → ${n.type}; the older version cannot read ${n.type} values`,
      );
  }
  if (reads(n.type, o.type) || reads(o.type, n.type)) {
    if (backward) out.push(...domainLoss(`${at} BACKWARD`, name, o, n, "narrowed"));
    if (forward) out.push(...domainLoss(`${at} FORWARD`, name, o, n, "widened"));
  }
  if (o.type === "TIMESTAMP" && n.type === "TIMESTAMP") {
    const fo = formatOf(o);
    const fn = formatOf(n);
    if (fo !== fn)
      out.push(`${at}: feature ${name} changed timestamp format ${fo ?? "ISO 8601"} → ${fn ?? "ISO 8601"}`);
  }
  for (const env of envs) {
    const was = featureInEnvironment(older, o, env) && isRequired(o);
    const is = featureInEnvironment(newer, n, env) && isRequired(n);
    if (backward && is && !was && n.default === undefined) {
      out.push(
        `${at} BACKWARD: feature ${name} became required in ${env} without a default; older ${env} data may lack it`,
      );
    }
    if (forward && was && !is)
      out.push(
        `${at} FORWARD: feature ${name} is no longer required in ${env}, which the older version requires`,
      );
  }
  return out;
}

/** Can a reader of type `reader` read values written as `writer`? */
function reads(reader: Feature["type"], writer: Feature["type"]): boolean {
  return reader === writer || (reader === "FLOAT" && writer === "INT");
}

/**
 * Values one version's domain allows and the other's does not. BACKWARD asks what the older
 * domain allowed that the newer one rejects (a narrowing); FORWARD asks the reverse (a widening).
 * Messages always read older → newer.
 */
function domainLoss(
  at: string,
  name: string,
  older: Feature,
  newer: Feature,
  direction: "narrowed" | "widened",
): string[] {
  const out: string[] = [];
  const [wide, narrow] = direction === "narrowed" ? [older, newer] : [newer, older];
  const dw = (wide.domain ?? {}) as Record<string, unknown>;
  const dn = (narrow.domain ?? {}) as Record<string, unknown>;
  const d = {
    old: (older.domain ?? {}) as Record<string, unknown>,
    new: (newer.domain ?? {}) as Record<string, unknown>,
  };
  const vw = dw.values as readonly string[] | undefined;
  const vn = dn.values as readonly string[] | undefined;
  if (vn) {
    if (!vw) {
      out.push(
        direction === "narrowed"
          ? `${at}: feature ${name} domain narrowed: any string → only ${vn.length} categorical values`
          : `${at}: feature ${name} domain widened: ${vn.length} categorical values → any string`,
      );
    } else {
      const extra = vw.filter((v) => !vn.includes(v));
      if (extra.length > 0)
        out.push(
          `${at}: feature ${name} domain ${direction}: values ${extra.map(q).join(", ")} ${direction === "narrowed" ? "removed" : "added"}`,
        );
    }
  }
  for (const which of ["min", "max"] as const) {
    const w = toNumber(dw[which]);
    const n = toNumber(dn[which]);
    if (n === undefined) continue;
    if (w === undefined || (which === "min" ? n > w : n < w)) {
      out.push(
        `${at}: feature ${name} domain ${direction}: ${which} ${show(d.old[which])} → ${show(d.new[which])}`,
      );
    }
  }
  const cw = wide.valueCount;
  const cn = narrow.valueCount;
  if (cw && cn) {
    for (const which of ["min", "max"] as const) {
      const w = cw[which];
      const n = cn[which];
      if (n === undefined) continue;
      if (w === undefined || (which === "min" ? n > w : n < w)) {
        out.push(
          `${at}: feature ${name} valueCount ${direction}: ${which} ${show(older.valueCount?.[which])} → ${show(newer.valueCount?.[which])}`,
        );
      }
    }
  }
  return out;
}

/** Numbers as they are; timestamp bounds (ISO strings) as epoch milliseconds. */
function toNumber(x: unknown): number | undefined {
  if (typeof x === "number") return x;
  if (typeof x === "string") {
    const t = Date.parse(x);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function show(x: unknown): string {
  return x === undefined ? "none" : String(x);
}

function formatOf(f: Feature): string | undefined {
  return (f.domain as { format?: string } | undefined)?.format;
}

function columnReuse(at: string, older: DatasetSchema, newer: DatasetSchema): string[] {
  const oldByColumn = new Map(older.features.map((f) => [f.column, f]));
  const out: string[] = [];
  for (const n of newer.features) {
    const o = oldByColumn.get(n.column);
    if (o && o.name !== n.name && (o.type !== n.type || isList(o) !== isList(n))) {
      out.push(
        `${at}: column ${n.column} held feature ${q(o.name)} (${o.type}) and now holds ${q(n.name)} (${n.type}); older files would be misread`,
      );
    }
  }
  return out;
}

function environments(a: DatasetSchema, b: DatasetSchema): EnvironmentName[] {
  const all = new Set<string>([...a.defaultEnvironments, ...b.defaultEnvironments]);
  for (const f of [...a.features, ...b.features])
    for (const e of [...(f.inEnvironment ?? []), ...(f.notInEnvironment ?? [])]) all.add(e);
  if (all.size === 0) all.add("TRAINING");
  return [...all].sort();
}

/** Problems with a dataset's list of versions and the datasets its files name. */
export function registryProblems(
  folder: string,
  schemas: readonly Pick<DatasetSchema, "dataset" | "version">[],
  versions: readonly number[],
): string[] {
  const out: string[] = [];
  const sorted = [...versions].sort((a, b) => a - b);
  sorted.forEach((v, i) => {
    if (v !== i + 1)
      out.push(
        `${folder}: versions must run 1…N without gaps; found ${sorted.map((x) => `v${x}`).join(", ")}`,
      );
  });
  for (const s of schemas) {
    if (s.dataset !== folder)
      out.push(`${folder}/v${s.version}.json: dataset is ${q(s.dataset)} but the file sits under ${folder}/`);
  }
  return [...new Set(out)];
}

const q = (s: string) => JSON.stringify(s);
