/** The training-set request the export function takes: what it accepts and how it refuses. */
import { describe, expect, it } from "vitest";
import {
  entitiesKey,
  parseTrainingSetRequest,
  splitText,
  trainingSetRequestIn,
} from "../../src/contract/training-set-request.js";

describe("training-set request", () => {
  it("is found as the input or in an event's detail, and nowhere else", () => {
    const request = { entities: "entities/a.csv", features: "stock_prices:price" };
    expect(trainingSetRequestIn({ trainingSet: request })).toEqual(request);
    expect(trainingSetRequestIn({ detail: { trainingSet: request } })).toEqual(request);
    expect(trainingSetRequestIn({ dataset: "penguins" })).toBeUndefined();
  });

  it("accepts the CLI's fields, a split as text or object, a split key as text or list", () => {
    const parsed = parseTrainingSetRequest({
      name: "orders",
      entities: "entities/orders.csv",
      features: "stock_prices:price",
      label: "bought",
      knowledge: "as-of",
      split: { train: 60, eval: 40 },
      splitKey: ["symbol"],
    });
    expect(parsed).toMatchObject({ name: "orders", knowledge: "as-of", splitKey: ["symbol"] });
    expect(splitText(parsed.split)).toBe("train=60,eval=40");
    expect(splitText("all=100")).toBe("all=100");
  });

  it("refuses unknown fields and bad values, naming the field and the value", () => {
    expect(() => parseTrainingSetRequest({ entities: "entities/a.csv" })).toThrow(/features: /);
    expect(() =>
      parseTrainingSetRequest({ entities: "entities/a.csv", features: "v:f", knowledge: "later" }),
    ).toThrow(/knowledge: .*\(got "later"\)/);
    expect(() =>
      parseTrainingSetRequest({ entities: "entities/a.csv", features: "v:f", name: "Orders" }),
    ).toThrow(/name: name must be lowercase snake_case \(got "Orders"\)/);
    expect(() =>
      parseTrainingSetRequest({ entities: "entities/a.csv", features: "v:f", where: "x" }),
    ).toThrow(/where/);
    expect(() => parseTrainingSetRequest("entities/a.csv")).toThrow(/training set request/);
  });

  it("reads entity files only under entities/ in the exports bucket", () => {
    expect(entitiesKey("entities/orders.csv", "exp")).toBe("entities/orders.csv");
    expect(entitiesKey("s3://exp/entities/q/orders.csv.gz", "exp")).toBe("entities/q/orders.csv.gz");
    expect(() => entitiesKey("s3://raw/entities/orders.csv", "exp")).toThrow(/exports bucket exp, not raw/);
    expect(() => entitiesKey("training-sets/x/manifest.json", "exp")).toThrow(/under entities\//);
    expect(() => entitiesKey("entities/../training-sets/x.csv", "exp")).toThrow(/under entities\//);
  });
});
