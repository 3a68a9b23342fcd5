/**
 * Every object key prefix of the lake's zones and every environment variable name is spelled once,
 * in src/contract: a literal anywhere else in the shipped code is a second definition waiting to drift.
 */
import { describe, expect, it } from "vitest";
import { literalsOf, sourceFiles } from "./source-files.js";

const SHIPPED = ["src", "functions", "cli", "infra", "scripts"];
/** Zone folders and prefixes that only src/contract names (`_runs/`, `_rejected`, `_parts` …). */
const ZONE_KEY = /(^|\/|`)_(runs|index|stats|reports|content|routed|rejected|parts|staging|invalid)(\/|$)/;
const ENV_NAME = /\bLAKELINE_(?!UUID_NAMESPACE\b)[A-Z0-9_]+\b/;

function strays(pattern: RegExp): string[] {
  return SHIPPED.flatMap(sourceFiles)
    .filter((file) => !file.startsWith("src/contract/"))
    .flatMap((file) =>
      literalsOf(file)
        .filter((l) => pattern.test(l.text))
        .map((l) => `${file}:${l.line} ${JSON.stringify(l.text)}`),
    );
}

describe("contracts are spelled once", () => {
  it("names zone key prefixes only in src/contract", () => {
    expect(strays(ZONE_KEY)).toEqual([]);
  });

  it("names environment variables only in src/contract", () => {
    expect(strays(ENV_NAME)).toEqual([]);
  });

  it("sees a stray literal when there is one", () => {
    expect(ZONE_KEY.test("_runs/penguins/x.json")).toBe(true);
    expect(ZONE_KEY.test("penguins/_rejected/x")).toBe(true);
    expect(ENV_NAME.test("LAKELINE_RAW_BUCKET")).toBe(true);
    expect(ENV_NAME.test("LAKELINE_UUID_NAMESPACE")).toBe(false);
  });
});
