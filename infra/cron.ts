/**
 * EventBridge cron syntax (six fields: minutes hours day-of-month month day-of-week year).
 * Checked at synth so a typo fails `cdk synth` with the field named, instead of failing the
 * CloudFormation deploy twenty minutes later with "Parameter ScheduleExpression is not valid".
 */

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra single-item forms this field accepts besides numbers, ranges, steps and `*`. */
  readonly special?: RegExp;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(L|LW|([1-9]|[12][0-9]|3[01])W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 1, max: 7, names: DAYS, special: /^(L|[1-7]L|[1-7]#[1-5])$/ },
  { name: "year", min: 1970, max: 2199 },
];

/** `"0 3 * * ? *"` or `"cron(0 3 * * ? *)"` → the six fields, or throws with the reason. */
export function parseCron(expression: string): string {
  const inner = /^cron\((.*)\)$/.exec(expression.trim())?.[1] ?? expression.trim();
  const parts = inner.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 6) {
    throw new Error(
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length} in ${JSON.stringify(expression)}`,
    );
  }
  for (const [i, part] of parts.entries()) checkField(part, FIELDS[i]!);
  const [, , dom, , dow] = parts;
  if ((dom === "?") === (dow === "?")) {
    throw new Error(
      `exactly one of day-of-month (${dom}) and day-of-week (${dow}) must be "?" in ${JSON.stringify(expression)}`,
    );
  }
  return parts.join(" ");
}

function checkField(value: string, spec: FieldSpec): void {
  const bad = (why: string) => new Error(`${spec.name} field ${JSON.stringify(value)}: ${why}`);
  if (value === "?") {
    if (spec.name !== "day-of-month" && spec.name !== "day-of-week")
      throw bad(`"?" is only allowed in day-of-month or day-of-week`);
    return;
  }
  if (spec.special?.test(value)) return;
  for (const item of value.split(",")) {
    if (item === "") throw bad("empty list item");
    const [range, step, extra] = item.split("/");
    if (extra !== undefined) throw bad(`more than one "/" in ${JSON.stringify(item)}`);
    if (step !== undefined && !/^[1-9][0-9]*$/.test(step))
      throw bad(`step ${JSON.stringify(step)} is not a positive integer`);
    if (range === "*") continue;
    const bounds = range!.split("-");
    if (bounds.length > 2) throw bad(`malformed range ${JSON.stringify(range)}`);
    const numbers = bounds.map((b) => toNumber(b, spec, bad));
    if (numbers.length === 2 && numbers[0]! > numbers[1]! && spec.name !== "day-of-week") {
      throw bad(`range ${JSON.stringify(range)} runs backwards`);
    }
  }
}

function toNumber(token: string, spec: FieldSpec, bad: (why: string) => Error): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^[0-9]+$/.test(token))
    throw bad(`${JSON.stringify(token)} is not a number${spec.names ? " or a name" : ""}`);
  const n = Number(token);
  if (n < spec.min || n > spec.max) throw bad(`${n} is outside ${spec.min}-${spec.max}`);
  return n;
}
