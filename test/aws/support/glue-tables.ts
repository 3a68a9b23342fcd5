/**
 * The Glue tables of the synthesized data stack, recreated as Hive tables in Trino over the
 * warehouse bucket on moto: same names, columns, types and partition keys.
 */
import type { CfnTemplate } from "./shipped.js";
import { trinoQuery, trinoType } from "./trino.js";

interface GlueTableInput {
  Name: string;
  Parameters?: Record<string, unknown>;
  PartitionKeys?: { Name: string; Type: string }[];
  StorageDescriptor: { Columns: { Name: string; Type: string }[]; Location?: unknown };
}

export interface GlueTable {
  readonly name: string;
  readonly columns: readonly { name: string; type: string }[];
  readonly partitionKeys: readonly { name: string; type: string }[];
  /** Logical id of the bucket the table's data lives in (from storage.location.template). */
  readonly bucketRef: string;
  /** Key prefix of the table's data. */
  readonly prefix: string;
}

/** Parquet tables of the data stack (the JSON lineage table is not the export's concern). */
export function glueParquetTables(data: CfnTemplate): GlueTable[] {
  const out: GlueTable[] = [];
  for (const r of Object.values(data.Resources)) {
    if (r.Type !== "AWS::Glue::Table") continue;
    const t = r.Properties.TableInput as GlueTableInput;
    if (t.Parameters?.classification !== "parquet") continue;
    const template = t.Parameters["storage.location.template"] as { "Fn::Join": [string, unknown[]] };
    const parts = template["Fn::Join"][1];
    const bucketRef = (parts[1] as { Ref: string }).Ref;
    const prefix = String(parts[2])
      .replace(/^\//, "")
      .replace(/[^/]*\$\{[^}]+\}\/?$/, "");
    out.push({
      name: t.Name,
      columns: t.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type })),
      partitionKeys: (t.PartitionKeys ?? []).map((c) => ({ name: c.Name, type: c.Type })),
      bucketRef,
      prefix,
    });
  }
  return out;
}

export async function createTrinoTables(
  trino: string,
  tables: readonly GlueTable[],
  bucketOf: (logicalId: string) => string,
): Promise<void> {
  await trinoQuery(trino, "CREATE SCHEMA IF NOT EXISTS lakeline", "default");
  for (const t of tables) {
    const cols = [...t.columns, ...t.partitionKeys].map((c) => `"${c.name}" ${trinoType(c.type)}`).join(", ");
    const partitioned = t.partitionKeys.map((k) => `'${k.name}'`).join(", ");
    // Re-pointing the catalog at another deployment: dropping an external table keeps its files.
    await trinoQuery(trino, `DROP TABLE IF EXISTS "${t.name}"`);
    await trinoQuery(
      trino,
      `CREATE TABLE "${t.name}" (${cols}) WITH (format = 'PARQUET', external_location = 's3://${bucketOf(t.bucketRef)}/${t.prefix}'${
        partitioned ? `, partitioned_by = ARRAY[${partitioned}]` : ""
      })`,
    );
  }
}

/** The data stack's text tables over commit markers (`<dataset>_runs_lines`), as in Glue. */
export function glueRunsTables(data: CfnTemplate): GlueTable[] {
  const out: GlueTable[] = [];
  for (const r of Object.values(data.Resources)) {
    if (r.Type !== "AWS::Glue::Table") continue;
    const t = r.Properties.TableInput as GlueTableInput;
    if (t.Parameters?.classification !== "text" || !t.Name.endsWith("_runs_lines")) continue;
    const location = t.StorageDescriptor.Location as { "Fn::Join": [string, unknown[]] };
    const parts = location["Fn::Join"][1];
    out.push({
      name: t.Name,
      columns: t.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type })),
      partitionKeys: [],
      bucketRef: (parts[1] as { Ref: string }).Ref,
      prefix: String(parts[2]).replace(/^\//, ""),
    });
  }
  return out;
}

/** The data stack's Athena views (Glue VIRTUAL_VIEW, "Presto View" encoding): name and SQL. */
export function glueViews(data: CfnTemplate): { name: string; sql: string }[] {
  const out: { name: string; sql: string }[] = [];
  for (const r of Object.values(data.Resources)) {
    if (r.Type !== "AWS::Glue::Table") continue;
    const t = r.Properties.TableInput as GlueTableInput & { TableType?: string; ViewOriginalText?: string };
    if (t.TableType !== "VIRTUAL_VIEW") continue;
    const encoded = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(t.ViewOriginalText ?? "")?.[1];
    if (!encoded) throw new Error(`view ${t.Name}: not in Athena's Presto View encoding`);
    out.push({
      name: t.Name,
      sql: (JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as { originalSql: string })
        .originalSql,
    });
  }
  return out;
}

/**
 * The marker-lines tables (text, one row per line, as Athena's LazySimpleSerDe reads them) and the
 * views, in Trino; views over other views (`<dataset>_runs`) first.
 */
export async function createTrinoJsonTablesAndViews(
  trino: string,
  tables: readonly GlueTable[],
  views: readonly { name: string; sql: string }[],
  bucketOf: (logicalId: string) => string,
): Promise<void> {
  for (const t of tables) {
    const cols = t.columns.map((c) => `"${c.name}" ${trinoType(c.type)}`).join(", ");
    await trinoQuery(trino, `DROP TABLE IF EXISTS "${t.name}"`);
    await trinoQuery(
      trino,
      `CREATE TABLE "${t.name}" (${cols}) WITH (format = 'TEXTFILE', external_location = 's3://${bucketOf(t.bucketRef)}/${t.prefix}')`,
    );
  }
  const first = (v: { name: string }) => (v.name.endsWith("_runs") ? 0 : 1);
  for (const v of [...views].sort((a, b) => first(a) - first(b)))
    await trinoQuery(trino, `CREATE OR REPLACE VIEW "${v.name}" AS ${v.sql}`);
}
