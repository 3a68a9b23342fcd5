/** Human and machine output for CLI commands: tables for people, JSON for programs. */

function cell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  if (typeof value === "object") return JSON.stringify(value, jsonReplacer);
  return String(value);
}

export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  return value;
}

/** Render rows as an aligned text table (numbers right-aligned). */
export function formatTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (cols.length === 0) return "(no rows)\n";
  const body = rows.map((r) => cols.map((c) => cell(r[c])));
  const numeric = cols.map(
    (c) => rows.length > 0 && rows.every((r) => ["number", "bigint"].includes(typeof r[c]) || r[c] == null),
  );
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i]!.length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [line([...cols]), widths.map((w) => "─".repeat(w)).join("  "), ...body.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
  return `${out.join("\n")}\n`;
}

export function toJson(value: unknown, pretty = false): string {
  return JSON.stringify(value, jsonReplacer, pretty ? 2 : undefined);
}

/** Progress on stderr for long work, only when a person is watching (a TTY) and not in --json mode. */
export function progress(enabled: boolean): (done: number, total: number, label: string) => void {
  if (!enabled || !process.stderr.isTTY) return () => {};
  return (done, total, label) => {
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    process.stderr.write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${label.slice(0, 50).padEnd(50)}`,
    );
    if (done === total) process.stderr.write("\n");
  };
}

/**
 * The phase of one long run on a terminal's stderr ("staging… 2.1 s"), overwritten in place and
 * cleared when `done` is called; nothing when stderr is not a terminal or `enabled` is false.
 */
export function phaseLine(enabled: boolean): { phase: (label: string) => void; done: () => void } {
  if (!enabled || !process.stderr.isTTY) return { phase: () => {}, done: () => {} };
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let label = "";
  const draw = () => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`\r${`${label} ${seconds} s`.slice(0, 78).padEnd(78)}`);
  };
  return {
    phase: (next) => {
      label = next;
      draw();
      timer ??= setInterval(draw, 200).unref();
    },
    done: () => {
      if (timer) clearInterval(timer);
      if (label) process.stderr.write(`\r${" ".repeat(78)}\r`);
    },
  };
}
