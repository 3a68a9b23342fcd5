/** Trino's client REST protocol (POST /v1/statement, follow nextUri), enough for tests. */
export interface TrinoResult {
  readonly columns: { name: string; type: string }[];
  readonly rows: unknown[][];
}

export class TrinoError extends Error {
  override readonly name = "TrinoError";
}

export async function trinoQuery(endpoint: string, sql: string, schema = "lakeline"): Promise<TrinoResult> {
  let res = await fetch(`${endpoint}/v1/statement`, {
    method: "POST",
    headers: { "X-Trino-User": "lakeline", "X-Trino-Catalog": "hive", "X-Trino-Schema": schema },
    body: sql,
  });
  let columns: TrinoResult["columns"] = [];
  const rows: unknown[][] = [];
  for (;;) {
    if (!res.ok) throw new TrinoError(`trino HTTP ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as {
      nextUri?: string;
      columns?: { name: string; type: string }[];
      data?: unknown[][];
      error?: { message: string; errorName: string };
    };
    if (page.error) throw new TrinoError(`${page.error.errorName}: ${page.error.message}`);
    if (page.columns) columns = page.columns;
    if (page.data) rows.push(...page.data);
    if (!page.nextUri) return { columns, rows };
    res = await fetch(page.nextUri, { headers: { "X-Trino-User": "lakeline" } });
  }
}

/** A Glue column type (Hive DDL spelling) as Trino's Hive connector names it. */
export function trinoType(glue: string): string {
  const t = glue.trim().toLowerCase();
  if (t === "string") return "varchar";
  if (t === "int") return "integer";
  if (t === "float") return "real";
  const array = /^array<(.*)>$/.exec(t);
  if (array) return `array(${trinoType(array[1]!)})`;
  const struct = /^struct<(.*)>$/.exec(t);
  if (struct)
    return `row(${struct[1]!
      .split(",")
      .map((f) => {
        const [name, type] = f.split(":");
        return `"${name}" ${trinoType(type!)}`;
      })
      .join(", ")})`;
  return t;
}
