/** CSV naming rules shared by inference (DuckDB's sniffer) and the reader, so both name fields alike. */

/** Field names of a CSV without a header line, as DuckDB names them: column0…, zero-padded to one width. */
export function headerlessNames(count: number): string[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, i) => `column${String(i).padStart(width, "0")}`);
}

/** Header names that appear more than once (an ambiguous header: which column is the feature?). */
export function duplicateNames(header: readonly string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const h of header) (seen.has(h) ? duplicates : seen).add(h);
  return [...duplicates];
}
