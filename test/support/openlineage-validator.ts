/** Validates RunEvents against the official OpenLineage 2-0-2 JSON Schemas copied into test/fixtures. */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const DIR = path.resolve(import.meta.dirname, "../fixtures/openlineage");

type Schema = { $id: string; properties: Record<string, unknown> };

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const core = JSON.parse(readFileSync(path.join(DIR, "OpenLineage.json"), "utf8")) as Schema;
ajv.addSchema(core);
const facetSchemas = new Map<string, Schema>();
for (const file of readdirSync(path.join(DIR, "facets"))) {
  const schema = JSON.parse(readFileSync(path.join(DIR, "facets", file), "utf8")) as Schema;
  ajv.addSchema(schema);
  facetSchemas.set(file.replace(/\.json$/, ""), schema);
}

const runEventValidator = ajv.getSchema(`${core.$id}#/$defs/RunEvent`)!;

/** Which facet schema governs each facet key, per place a facet can appear. */
const FACETS_BY_PLACE: Record<string, Record<string, string>> = {
  run: { parent: "ParentRunFacet", errorMessage: "ErrorMessageRunFacet" },
  job: { jobType: "JobTypeJobFacet" },
  dataset: {
    schema: "SchemaDatasetFacet",
    dataSource: "DatasourceDatasetFacet",
    version: "DatasetVersionDatasetFacet",
    dataQualityMetrics: "DataQualityMetricsDatasetFacet",
  },
  input: {
    dataQualityMetrics: "DataQualityMetricsInputDatasetFacet",
    inputStatistics: "InputStatisticsInputDatasetFacet",
  },
  output: { outputStatistics: "OutputStatisticsOutputDatasetFacet" },
};

function checkFacets(
  place: string,
  facets: Record<string, { _schemaURL?: string }> | undefined,
  where: string,
): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries(facets ?? {})) {
    const name = FACETS_BY_PLACE[place]![key];
    // Custom facets (prefixed, as the spec asks of producers' own) must still be base facets.
    if (!name && place === "run" && key.startsWith("lakeline_")) {
      const validate = ajv.getSchema(`${core.$id}#/$defs/RunFacet`)!;
      if (!validate(value) || !value._schemaURL || !(value as { _producer?: string })._producer)
        errors.push(`${where}.${key}: not a run facet (${ajv.errorsText(validate.errors)})`);
      continue;
    }
    if (!name) {
      errors.push(`${where}.${key}: no official facet schema for a ${place} facet named ${key}`);
      continue;
    }
    const schema = facetSchemas.get(name)!;
    const validate = ajv.getSchema(schema.$id)!;
    if (!validate({ [key]: value })) errors.push(`${where}.${key}: ${ajv.errorsText(validate.errors)}`);
    if (value._schemaURL !== `${schema.$id}#/$defs/${name}`) {
      errors.push(`${where}.${key}: _schemaURL ${value._schemaURL} is not ${schema.$id}#/$defs/${name}`);
    }
  }
  return errors;
}

type Facets = Record<string, { _schemaURL?: string }>;
interface LooseEvent {
  run?: { facets?: Facets };
  job?: { facets?: Facets };
  inputs?: { facets?: Facets; inputFacets?: Facets }[];
  outputs?: { facets?: Facets; outputFacets?: Facets }[];
}

/** Every violation of the RunEvent schema and of each facet's own schema; empty when valid. */
export function runEventErrors(event: unknown): string[] {
  const errors: string[] = [];
  if (!runEventValidator(event)) errors.push(`RunEvent: ${ajv.errorsText(runEventValidator.errors)}`);
  const e = event as LooseEvent;
  errors.push(...checkFacets("run", e.run?.facets, "run.facets"));
  errors.push(...checkFacets("job", e.job?.facets, "job.facets"));
  (e.inputs ?? []).forEach((d, i) => {
    errors.push(...checkFacets("dataset", d.facets, `inputs[${i}].facets`));
    errors.push(...checkFacets("input", d.inputFacets, `inputs[${i}].inputFacets`));
  });
  (e.outputs ?? []).forEach((d, i) => {
    errors.push(...checkFacets("dataset", d.facets, `outputs[${i}].facets`));
    errors.push(...checkFacets("output", d.outputFacets, `outputs[${i}].outputFacets`));
  });
  return errors;
}
