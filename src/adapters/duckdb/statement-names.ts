/** Which relations a statement names, so the query engine creates only those before running it. */

/** Names in a statement that read the catalog itself: every relation is created first. */
export const CATALOG_READERS = /^(show|information_schema|pg_catalog|sqlite_master|pragma|duckdb_\w+)$/;

/** The identifiers of a statement, lower-cased (quoted ones unquoted); words of literals come along, harmlessly. */
export function namesIn(sql: string): Set<string> {
  const names = new Set<string>();
  for (const m of sql.matchAll(/"((?:[^"]|"")*)"|([A-Za-z_][A-Za-z0-9_$]*)/g))
    names.add((m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!).toLowerCase());
  return names;
}
