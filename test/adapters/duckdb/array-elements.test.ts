import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { largestArrayElement } from "../../../src/adapters/duckdb/array-elements.js";
import { tempDir } from "../../support/temp.js";

describe("largestArrayElement", () => {
  it("finds the largest top-level element, whatever brackets, commas and quotes its strings hold", async () => {
    // Prepare
    const dir = await tempDir("array-elements");
    const file = path.join(dir, "a.json");
    const big = { id: 2, s: 'x],{"y":[1,2]}\\" ,', nested: [[1, 2], { a: [3] }] };
    const text = ` [ {"id":1}, ${JSON.stringify(big)} ,\n 3, "a,b]" ]\n`;
    fs.writeFileSync(file, text);
    const empty = path.join(dir, "empty.json");
    fs.writeFileSync(empty, "[ ]");
    // Act
    const largest = await largestArrayElement(file);
    // Assess
    const offset = text.indexOf('{"id":2');
    expect(largest).toEqual({ index: 2, offset, bytes: text.indexOf(" ,\n") - offset });
    expect(text.slice(largest!.offset, largest!.offset + largest!.bytes)).toBe(JSON.stringify(big));
    expect(await largestArrayElement(empty)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
