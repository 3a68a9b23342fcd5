/** A feature view checked against its dataset's schema: every column it names exists and fits. */
import { type DatasetSchema, featureInEnvironment, isList } from "../schema/types.js";
import type { FeatureView } from "./view.js";

/** Problems, each naming the view and the bad column; empty when the view is sound. */
export function viewProblems(view: FeatureView, schema: DatasetSchema): string[] {
  const out: string[] = [];
  const name = `view ${view.view} v${view.version}`;
  if (view.dataset !== schema.dataset)
    return [`${name}: dataset is ${view.dataset} but the view sits under ${schema.dataset}/`];
  const byColumn = new Map(schema.features.map((f) => [f.column, f]));
  const columns = () => schema.features.map((f) => f.column).join(", ");
  for (const e of view.entities) {
    const f = byColumn.get(e);
    if (!f)
      out.push(`${name}: entity column ${e} is not a column of ${schema.dataset} (columns: ${columns()})`);
    else if (isList(f)) out.push(`${name}: entity column ${e} is a list; an entity key must be scalar`);
    else if (f.type === "FLOAT" || f.type === "BYTES")
      out.push(
        `${name}: entity column ${e} is ${f.type}; keys must compare exactly (STRING, INT, BOOL or TIMESTAMP)`,
      );
  }
  const ev = byColumn.get(view.eventTime);
  if (!ev) out.push(`${name}: event-time column ${view.eventTime} is not a column of ${schema.dataset}`);
  else if (ev.type !== "TIMESTAMP" || isList(ev))
    out.push(
      `${name}: event-time column ${view.eventTime} is ${ev.type}${isList(ev) ? " (list)" : ""}, not a TIMESTAMP`,
    );
  for (const vf of view.features) {
    const f = byColumn.get(vf.column);
    if (!f) {
      out.push(
        `${name}: feature ${vf.name} reads column ${vf.column}, which ${schema.dataset} does not have`,
      );
      continue;
    }
    if (!featureInEnvironment(schema, f, view.environment))
      out.push(
        `${name}: feature ${vf.name} (${vf.column}) is not expected in ${view.environment} rows of ${schema.dataset}`,
      );
    if (view.entities.includes(vf.column) || vf.column === view.eventTime)
      out.push(`${name}: feature ${vf.name} serves the key or event-time column ${vf.column}`);
  }
  return out;
}
