import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { jsonSchemaText } from "../../cli/commands/schema.js";

const FILE = "schemas/schema-file.schema.json";

describe("schemas/schema-file.schema.json", () => {
  it("is up to date with the zod definition (regenerate: lakeline schema json-schema --write)", () => {
    expect(readFileSync(FILE, "utf8")).toBe(jsonSchemaText());
  });

  it("accepts every shipped schema file and rejects a malformed one", () => {
    // Prepare
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(FILE, "utf8")));
    const files = readdirSync("schemas", { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join("schemas", d.name)).map((f) => path.join("schemas", d.name, f)))
      // Feature views (schemas/<dataset>/views/) have their own format.
      .filter((f) => /[/\\]v\d+\.json$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(4);
    // Act + Assess
    for (const f of files)
      expect(validate(JSON.parse(readFileSync(f, "utf8"))), `${f}: ${ajv.errorsText(validate.errors)}`).toBe(
        true,
      );
    const bad = JSON.parse(readFileSync("schemas/penguins/v1.json", "utf8"));
    bad.features[0].type = "TEXT";
    bad.features[1].colour = "blue";
    expect(validate(bad)).toBe(false);
    expect(ajv.errorsText(validate.errors)).toMatch(/features\/0\/type/);
  });
});
