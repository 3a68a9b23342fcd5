/**
 * The subset of Python's `json.dumps(value, sort_keys=True)` (default `ensure_ascii=True`,
 * separators `", "` and `": "`) that DVC's directory manifests use: strings, safe integers,
 * arrays and plain objects. Byte-exact output matters because the bytes are hashed.
 */
export type PyJsonValue = string | number | boolean | null | PyJsonValue[] | { [key: string]: PyJsonValue };

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function hex4(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, "0")}`;
}

/** Printable ASCII but `"` and `\`: the characters Python's encoder copies as they are. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Python's `py_encode_basestring_ascii`: everything outside printable ASCII becomes \uXXXX (UTF-16 units, lowercase). */
export function pythonJsonString(s: string): string {
  // Keys and md5s are nearly always verbatim: one native scan instead of a loop per character.
  if (VERBATIM.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const unit = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    // Printable ASCII is the ` `..`~` range; DEL (0x7f) is escaped too.
    else if (unit >= 0x20 && unit <= 0x7e) out += ch;
    // JS strings are UTF-16 already, so astral characters arrive as the surrogate pair Python emits.
    else out += hex4(unit);
  }
  return `${out}"`;
}

const SURROGATE = /[\ud800-\udfff]/;

/** Whether UTF-16 order (JS `<`) is code point order for these strings: none holds a surrogate. */
export function sortsAsUtf16(strings: readonly string[]): boolean {
  return strings.every((s) => !SURROGATE.test(s));
}

/** Python orders dict keys (and DVC orders relpaths) by code point; JS `<` compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  const restA = a.length - i;
  const restB = b.length - j;
  return restA === restB ? 0 : restA < restB ? -1 : 1;
}

export function pythonJsonDumps(value: PyJsonValue): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    // Floats render differently in Python (1.0 vs 1); manifests only ever hold integers.
    if (!Number.isSafeInteger(value))
      throw new RangeError(`pythonJsonDumps supports safe integers only, got ${value}`);
    return String(value);
  }
  if (typeof value === "string") return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const keys = Object.keys(value).sort(compareCodePoints);
  return `{${keys.map((k) => `${pythonJsonString(k)}: ${pythonJsonDumps(value[k]!)}`).join(", ")}}`;
}
