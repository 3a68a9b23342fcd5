import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { exportRequest, loadDeployConfig, validateDeployConfig } from "../../infra/config.js";
import { parseCron } from "../../infra/cron.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { tempDir } from "../support/temp.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DATASETS = new SchemaRegistry(path.join(ROOT, "schemas")).datasets();

const exportOf = (over: Record<string, unknown> = {}) => ({
  name: "penguins-nightly",
  dataset: "penguins",
  cron: "0 3 * * ? *",
  split: { train: 80, eval: 10, test: 10 },
  ...over,
});

function problemsOf(input: unknown): string[] {
  try {
    validateDeployConfig(input, DATASETS);
  } catch (err) {
    return (err as Error).message.split("\n");
  }
  return [];
}

describe("deploy config", () => {
  it("fills every default from an empty object", () => {
    // Act
    const config = validateDeployConfig({}, DATASETS);
    // Assess
    expect(config).toMatchObject({
      stackPrefix: "Lakeline",
      glueDatabaseName: "lakeline",
      architecture: "x86_64",
      logRetentionDays: 30,
      ingest: { memoryMb: 3008, timeoutSeconds: 900, retryAttempts: 2, maxEventAgeSeconds: 21600 },
      storage: { abortIncompleteMultipartUploadDays: 7 },
      exports: [],
    });
    expect(config.ingest.reservedConcurrency).toBeUndefined();
  });

  it("accepts the repository's lakeline.config.json", () => {
    // Act
    const config = loadDeployConfig(path.join(ROOT, "lakeline.config.json"), DATASETS);
    // Assess
    expect(config.exports.map((e) => e.dataset).every((d) => DATASETS.includes(d))).toBe(true);
    for (const e of config.exports) expect(Object.values(e.split).reduce((a, b) => a + b, 0)).toBe(100);
  });

  it("treats a missing file as all defaults", () => {
    expect(loadDeployConfig(path.join(ROOT, "no-such-config.json"), DATASETS).exports).toEqual([]);
  });

  it("names the field and the bad value of every problem at once", () => {
    // Prepare
    const input = {
      ingest: { memoryMb: 64 },
      export: { memoryMb: 20000 },
      logRetentionDays: 8,
      exports: [exportOf({ dataset: "nope", cron: "0 25 * * ? *", split: { train: 80, test: 10 } })],
    };
    // Act
    const problems = problemsOf(input);
    // Assess: the schema pass reports shape errors first
    expect(problems).toEqual(
      expect.arrayContaining([
        "lakeline config: ingest.memoryMb: must be between 128 and 10240 MB",
        "lakeline config: export.memoryMb: must be between 128 and 10240 MB",
        expect.stringMatching(/^lakeline config: logRetentionDays: must be one of 1, 3, 5, .* 3653/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("checks each export against schemas/, cron syntax and the split sum", () => {
    // Act
    const problems = problemsOf({
      exports: [exportOf({ dataset: "nope", cron: "0 25 * * ? *", split: { train: 80, test: 10 } })],
    });
    // Assess
    expect(problems).toEqual([
      `lakeline config: exports[0].dataset: no schema for dataset "nope" in schemas/ (known: ${DATASETS.join(", ")})`,
      'lakeline config: exports[0].cron: hours field "25": 25 is outside 0-23',
      "lakeline config: exports[0].split: percentages sum to 90, not 100",
    ]);
  });

  it("rejects duplicate export names, unknown keys and an impossible retry window", () => {
    expect(problemsOf({ exports: [exportOf(), exportOf()] })).toEqual([
      'lakeline config: exports[1].name: duplicate export name "penguins-nightly"',
    ]);
    expect(problemsOf({ ingest: { memoryMB: 512 } })).toEqual([
      expect.stringMatching(/^lakeline config: ingest: Unrecognized key: "memoryMB"/),
    ]);
    expect(problemsOf({ ingest: { timeoutSeconds: 900, maxEventAgeSeconds: 120 } })).toEqual([
      "lakeline config: ingest.maxEventAgeSeconds: 120s is shorter than the timeout (900s), so retries could never run",
    ]);
  });

  it("requires the largest blob to fit the ingest function's /tmp", () => {
    expect(problemsOf({ maxBlobBytes: 11 * 1024 ** 3, ingest: { ephemeralStorageMb: 10240 } })).toEqual([
      expect.stringMatching(/^lakeline config: maxBlobBytes: 11811160064 bytes does not fit/),
    ]);
    expect(problemsOf({ maxBlobBytes: 1024 ** 3, ingest: { ephemeralStorageMb: 2048 } })).toEqual([]);
  });

  it("reports malformed JSON with the file name", async () => {
    // Prepare
    const file = path.join(await tempDir("config"), "lakeline.config.json");
    writeFileSync(file, '{ "exports": [');
    // Act + Assess
    expect(() => loadDeployConfig(file, DATASETS)).toThrow(`lakeline config: ${file}: not valid JSON`);
  });

  it("builds the export function's input from a schedule", () => {
    const [schedule] = validateDeployConfig({ exports: [exportOf()] }, DATASETS).exports;
    expect(exportRequest(schedule!)).toEqual({
      name: "penguins-nightly",
      dataset: "penguins",
      environment: "TRAINING",
      split: { train: 80, eval: 10, test: 10 },
      seed: "lakeline",
    });
  });
});

describe("EventBridge cron", () => {
  it.each([
    ["0 3 * * ? *", "0 3 * * ? *"],
    ["cron(15 10 ? * MON-FRI *)", "15 10 ? * MON-FRI *"],
    ["0/15 * * * ? *", "0/15 * * * ? *"],
    ["0 8 L * ? 2026-2030", "0 8 L * ? 2026-2030"],
    ["0 9 ? JAN,JUL 2#1 *", "0 9 ? JAN,JUL 2#1 *"],
    ["0 0 15W * ? *", "0 0 15W * ? *"],
  ])("accepts %s", (expression, fields) => {
    expect(parseCron(expression)).toBe(fields);
  });

  it.each([
    ["0 3 * * *", /expected 6 fields/],
    ["0 3 * * * *", /exactly one of day-of-month \(\*\) and day-of-week \(\*\)/],
    ["0 3 ? * ? *", /exactly one of day-of-month/],
    ["60 3 * * ? *", /minutes field "60": 60 is outside 0-59/],
    ["0 3 * 13 ? *", /month field "13"/],
    ["0 3 * FOO ? *", /month field "FOO": "FOO" is not a number or a name/],
    ["0 3 ? * 8 *", /day-of-week field "8"/],
    ["0/0 3 * * ? *", /step "0" is not a positive integer/],
    ["0 5-2 * * ? *", /hours field "5-2": range "5-2" runs backwards/],
    ["0 3 * * ? 1969", /year field "1969"/],
    ["? 3 * * ? *", /"\?" is only allowed in day-of-month or day-of-week/],
  ])("rejects %s", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(message);
  });
});
