/**
 * DuckDB views exposing the lineage store to SQL on the local lake. Columns are declared rather
 * than inferred so the views keep one shape whatever properties individual records carry.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";

interface ViewSource {
  /** Folder under the lineage root, and how many directory levels below it the JSON files sit. */
  readonly folder: string;
  readonly depth: number;
  /** Column name → DuckDB type, as stored in the JSON records. */
  readonly columns: Record<string, string>;
}

const SOURCES = {
  artifacts: {
    folder: "mlmd/artifacts",
    depth: 0,
    columns: {
      id: "VARCHAR",
      type: "VARCHAR",
      uri: "VARCHAR",
      namespace: "VARCHAR",
      name: "VARCHAR",
      version: "VARCHAR",
      size: "BIGINT",
      rowCount: "BIGINT",
      properties: "JSON",
      createTime: "VARCHAR",
    },
  },
  executions: {
    folder: "mlmd/executions",
    depth: 0,
    columns: {
      id: "VARCHAR",
      type: "VARCHAR",
      runId: "VARCHAR",
      jobName: "VARCHAR",
      state: "VARCHAR",
      parameters: "JSON",
      parentRunId: "VARCHAR",
      startTime: "VARCHAR",
    },
  },
  executionStates: {
    folder: "mlmd/execution_states",
    depth: 1,
    columns: { executionId: "VARCHAR", state: "VARCHAR", time: "VARCHAR", errorMessage: "VARCHAR" },
  },
  events: {
    folder: "mlmd/events",
    depth: 0,
    columns: {
      id: "VARCHAR",
      artifactId: "VARCHAR",
      executionId: "VARCHAR",
      type: "VARCHAR",
      time: "VARCHAR",
    },
  },
  snapshotMembers: {
    folder: "mlmd/snapshot_members",
    depth: 0,
    columns: { snapshotId: "VARCHAR", members: "VARCHAR[]" },
  },
  openlineage: {
    folder: "openlineage",
    depth: 2,
    columns: {
      eventType: "VARCHAR",
      eventTime: "VARCHAR",
      producer: "VARCHAR",
      schemaURL: "VARCHAR",
      run: "JSON",
      job: "JSON",
      inputs: "JSON",
      outputs: "JSON",
    },
  },
} satisfies Record<string, ViewSource>;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

function isRemote(root: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(root) && !root.startsWith("file://");
}

function localRoot(root: string): string {
  return root.startsWith("file://") ? decodeURIComponent(new URL(root).pathname) : root;
}

/** Whether any `.json` file sits exactly `depth` folders below `dir` (read_json fails on an empty glob). */
function hasJsonFiles(dir: string, depth: number): boolean {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (depth === 0 && entry.isFile() && entry.name.endsWith(".json")) return true;
    if (depth > 0 && entry.isDirectory() && hasJsonFiles(path.join(dir, entry.name), depth - 1)) return true;
  }
  return false;
}

/** A relation over the source's records, or an empty one with the same columns when there are none yet. */
function relation(root: string, source: ViewSource): string {
  const cols = Object.entries(source.columns);
  const remote = isRemote(root);
  const base = remote ? root.replace(/\/+$/, "") : localRoot(root);
  if (!remote && !hasJsonFiles(path.join(base, source.folder), source.depth)) {
    return `(SELECT ${cols.map(([c, t]) => `CAST(NULL AS ${t}) AS "${c}"`).join(", ")} LIMIT 0)`;
  }
  const glob = `${base}/${source.folder}/${"*/".repeat(source.depth)}*.json`;
  const columns = cols.map(([c, t]) => `${c}: ${sqlString(t)}`).join(", ");
  return `read_json(${sqlString(glob)}, format = 'newline_delimited', columns = {${columns}})`;
}

/** The views lineageViewsSql creates. */
export const LINEAGE_VIEWS: readonly string[] = [
  "mlmd_artifacts",
  "mlmd_execution_states",
  "mlmd_executions",
  "mlmd_events",
  "lineage_events",
];

/**
 * `CREATE OR REPLACE VIEW` statements for `lineage_events`, `mlmd_artifacts`, `mlmd_executions`
 * (with each execution's resolved state) and `mlmd_events`. Local roots are checked for records
 * first, so the views can be created on a brand-new lake; re-run them to pick up the first records.
 */
export function lineageViewsSql(lineageRoot: string): string[] {
  const ts = (c: string) => `TRY_CAST(${c} AS TIMESTAMPTZ)`;
  return [
    `CREATE OR REPLACE VIEW mlmd_artifacts AS SELECT id, type, uri, namespace, name, version, size, rowCount AS row_count, properties, ${ts("createTime")} AS create_time FROM ${relation(lineageRoot, SOURCES.artifacts)}`,
    `CREATE OR REPLACE VIEW mlmd_execution_states AS SELECT executionId AS execution_id, state, ${ts("time")} AS time, errorMessage AS error_message FROM ${relation(lineageRoot, SOURCES.executionStates)}`,
    // A retried run may have failed and then completed: COMPLETE wins, as in the TypeScript queries.
    `CREATE OR REPLACE VIEW mlmd_executions AS SELECT e.id, e.type, e.runId AS run_id, e.jobName AS job_name, COALESCE(s.state, e.state) AS state, e.parameters, e.parentRunId AS parent_run_id, ${ts("e.startTime")} AS start_time, s.time AS end_time, s.error_message FROM ${relation(lineageRoot, SOURCES.executions)} e LEFT JOIN (SELECT execution_id, arg_min(state, CASE state WHEN 'COMPLETE' THEN 0 ELSE 1 END) AS state, arg_min(time, CASE state WHEN 'COMPLETE' THEN 0 ELSE 1 END) AS time, arg_min(error_message, CASE state WHEN 'COMPLETE' THEN 0 ELSE 1 END) AS error_message FROM mlmd_execution_states GROUP BY execution_id) s ON s.execution_id = e.id`,
    // An input event on a snapshot (an export's one input) also stands for an input event on each of
    // its members, as the TypeScript queries derive them; a derived row's id is "<event id>+<member id>".
    `CREATE OR REPLACE VIEW mlmd_events AS WITH stored AS (SELECT id, artifactId AS artifact_id, executionId AS execution_id, type, ${ts("time")} AS time FROM ${relation(lineageRoot, SOURCES.events)}), derived AS (SELECT e.id || '+' || m.member AS id, m.member AS artifact_id, e.execution_id, e.type, e.time FROM stored e JOIN (SELECT snapshotId AS snapshot_id, unnest(members) AS member FROM ${relation(lineageRoot, SOURCES.snapshotMembers)}) m ON m.snapshot_id = e.artifact_id WHERE e.type IN ('INPUT', 'DECLARED_INPUT')) SELECT * FROM stored UNION ALL SELECT * FROM derived d WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.execution_id = d.execution_id AND s.artifact_id = d.artifact_id AND s.type = d.type)`,
    `CREATE OR REPLACE VIEW lineage_events AS SELECT eventType AS event_type, ${ts("eventTime")} AS event_time, json_extract_string(run, '$.runId') AS run_id, json_extract_string(job, '$.namespace') AS job_namespace, json_extract_string(job, '$.name') AS job_name, producer, schemaURL AS schema_url, run, job, inputs, outputs FROM ${relation(lineageRoot, SOURCES.openlineage)}`,
  ];
}
