/**
 * Strict ISO 8601 instants for `--as-of` and export requests: a calendar date, optionally with a
 * time and an offset. Impossible dates (2026-02-30) and bare numbers are refused instead of being
 * rolled over or read as epoch milliseconds; a time without an offset is UTC, never the machine's
 * zone, so the same command selects the same runs everywhere.
 */
import { UsageError } from "../errors.js";

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseInstant(value: string, what = "as-of"): Date {
  const m = PATTERN.exec(value.trim());
  const refuse = (why: string): never => {
    throw new UsageError(
      `${what} must be an ISO 8601 date or time such as 2026-03-01 or 2026-03-01T12:00:00Z, not ${JSON.stringify(value)}: ${why}`,
      { value },
    );
  };
  if (!m) return refuse("not in ISO 8601 form");
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return refuse(`there is no month ${mo}`);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return refuse(`${y}-${mo} has ${days} days`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return refuse("the time is out of range");
  let offsetMinutes = 0;
  if (zone && zone !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    if (Number(z[2]) > 23 || Number(z[3]) > 59) return refuse("the offset is out of range");
    offsetMinutes = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  const ms = Number(`0.${frac || "0"}`) * 1000;
  const utc = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s)) + Math.floor(ms);
  return new Date(utc - offsetMinutes * 60_000);
}
