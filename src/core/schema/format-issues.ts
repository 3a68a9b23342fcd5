/**
 * How a problem zod finds in a schema file reads to a person: where it is (a JSON path to follow in
 * an editor, with the feature's name), what is wrong, and what the file has where an option is wrong.
 */
import type { z } from "zod";

/**
 * `$.features[2].domain ("Body Mass (g)")`: a JSON path a person can follow in an editor, with
 * the feature's name when the problem sits inside a feature.
 */
function jsonPath(p: readonly PropertyKey[], json: unknown): string {
  const step = (k: PropertyKey) =>
    typeof k === "number"
      ? `[${k}]`
      : /^[A-Za-z_$][\w$]*$/.test(String(k))
        ? `.${String(k)}`
        : `[${JSON.stringify(String(k))}]`;
  const text = `$${p.map(step).join("")}`;
  if (p[0] !== "features" || typeof p[1] !== "number") return text;
  const name = (json as { features?: { name?: unknown }[] }).features?.[p[1]]?.name;
  return typeof name === "string" ? `${text} (${JSON.stringify(name)})` : text;
}

/** `, not "INTEGER"`: the value a wrong-option issue refused, as the file has it (zod names only the options). */
function givenValue(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code !== "invalid_value") return "";
  let value: unknown = json;
  for (const k of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k];
  const text = JSON.stringify(value) ?? String(value);
  return `, not ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

/** One line of a schema file's problems: `$.features[0].type ("a"): Invalid option: …, not "INTEGER"`. */
export function issueText(issue: z.core.$ZodIssue, json: unknown): string {
  return `${issue.path.length ? `${jsonPath(issue.path, json)}: ` : ""}${issue.message}${givenValue(issue, json)}`;
}
