/** Text helpers of the HTML report: every piece of data reaches the page through `esc`. */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escape for element content and double- or single-quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Short, stable rendering of a number: integers as is, others to 4 significant digits. */
export function num(x: number | undefined | null): string {
  if (x === undefined || x === null || Number.isNaN(x)) return "–";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (Number.isInteger(x)) return grouped(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/**
 * An integer as `toLocaleString("en-US")` writes it ("3,000,000"). Safe integers are grouped here:
 * the first locale call of a process sets up ICU's number formatter, 16–25 ms of CPU for the few
 * numbers a report shows. Others (and -0) keep the locale's spelling.
 */
export function grouped(x: number): string {
  if (!Number.isSafeInteger(x) || Object.is(x, -0)) return x.toLocaleString("en-US");
  const digits = String(Math.abs(x));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return x < 0 ? `-${out}` : out;
}

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${num((100 * part) / whole)}%` : "–";
}

/**
 * TIMESTAMP statistics are numeric over epoch time; values below 1e11 are seconds (dates up to
 * year 5138), larger ones milliseconds.
 */
export function timestamp(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  const ms = Math.abs(x) < 1e11 ? x * 1000 : x;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? num(x) : d.toISOString().replace(".000Z", "Z").replace("T00:00:00Z", "");
}

/** A value safe to use inside an id attribute and a URL fragment. */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "feature"
  );
}
