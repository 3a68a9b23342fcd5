/**
 * The DVC hashes and run ids against Python, the reference DVC runs on: the same bytes from the
 * same input, asked of python3 directly (PyYAML for what DVC parses back).
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dvcDirHash, dvcDirJson, isDvcDirHash, md5Hex, renderDvcFile } from "../../src/core/hash/dvc.js";
import { pythonJsonDumps } from "../../src/core/hash/python-json.js";
import { deterministicUuid, LAKELINE_UUID_NAMESPACE } from "../../src/core/hash/uuid.js";

/** Python is the reference implementation DVC runs on: ask it directly. */
function python(script: string, input: unknown): string {
  return execFileSync("python3", ["-c", script], { input: JSON.stringify(input), encoding: "utf8" }).trim();
}

const PY_DIR_HASH = `
import sys, json, hashlib
entries = json.load(sys.stdin)
entries = sorted(entries, key=lambda e: e["relpath"])
data = json.dumps(entries, sort_keys=True)
print(json.dumps({"json": data, "md5": hashlib.md5(data.encode("utf-8")).hexdigest() + ".dir"}))
`;

const md5Of = (s: string) => md5Hex(s);

describe("DVC directory hash against Python", () => {
  it("matches Python's json.dumps + md5 for non-ASCII, spaces, nesting and astral characters", () => {
    // Prepare: relpaths chosen so UTF-16 order and code-point order disagree (🐧 vs U+FFFD/U+E000).
    const entries = [
      { relpath: "zeta/日本/データ.csv", md5: md5Of("a") },
      { relpath: "café/é.json", md5: md5Of("b") },
      { relpath: "with space/file name.txt", md5: md5Of("c") },
      { relpath: "emoji/🐧.txt", md5: md5Of("d") },
      { relpath: "emoji/\uFFFD.txt", md5: md5Of("e") },
      { relpath: "emoji/\uE000.txt", md5: md5Of("f") },
      { relpath: "a-b", md5: md5Of("g") },
      { relpath: "a/b", md5: md5Of("h") },
      { relpath: 'quote"back\\slash\ttab', md5: md5Of("i") },
      { relpath: "del\u007f", md5: md5Of("j") },
      { relpath: "empty.txt", md5: "d41d8cd98f00b204e9800998ecf8427e" },
    ];
    const reference = JSON.parse(python(PY_DIR_HASH, entries)) as { json: string; md5: string };

    // Act
    const json = dvcDirJson(entries);
    const hash = dvcDirHash(entries);

    // Assess
    expect(json).toBe(reference.json);
    expect(hash).toBe(reference.md5);
    expect(json).toContain("\\ud83d\\udc27"); // 🐧 as a lowercase surrogate pair
    expect(json).toContain("caf\\u00e9");
    expect(json).toContain('{"md5": "');
    expect(isDvcDirHash(hash)).toBe(true);
  });

  it("hashes an empty directory as Python does", () => {
    expect(dvcDirHash([])).toBe(python(PY_DIR_HASH, []).match(/"md5": "([^"]+)"/)![1]);
  });

  it("sorts by code point, not UTF-16 unit (property, against Python)", () => {
    const relpath = fc.string({ unit: "binary", minLength: 1, maxLength: 6 });
    const samples = fc.sample(fc.uniqueArray(relpath, { minLength: 2, maxLength: 8 }), {
      numRuns: 25,
      seed: 42,
    });
    const batches = samples.map((paths) => paths.map((p, i) => ({ relpath: p, md5: md5Of(String(i)) })));
    // One Python process for all batches keeps the test fast.
    const script = `
import sys, json, hashlib
out = []
for entries in json.load(sys.stdin):
    data = json.dumps(sorted(entries, key=lambda e: e["relpath"]), sort_keys=True)
    out.append(hashlib.md5(data.encode("utf-8", "surrogatepass")).hexdigest() + ".dir")
print(json.dumps(out))`;
    const expected = JSON.parse(python(script, batches)) as string[];
    expect(batches.map((b) => dvcDirHash(b))).toEqual(expected);
  });

  it("serialises nested objects with sorted keys like json.dumps(sort_keys=True)", () => {
    const value = { z: [1, "ü", null, true], a: { y: "x", b: [] }, "🐧": "é" };
    const reference = python(
      "import sys, json; print(json.dumps(json.load(sys.stdin), sort_keys=True))",
      value,
    );
    expect(pythonJsonDumps(value)).toBe(reference);
  });
});

describe(".dvc files read back by PyYAML", () => {
  it("quotes paths YAML would misread (parsed back by PyYAML, as DVC does)", () => {
    const paths = ["yes", "123", "1e5", "a: b", "#x", "日本", "- x", "", "data/penguins v2", "null"];
    const files = paths.map((p) => renderDvcFile({ md5: md5Of(""), size: 0, path: p }));
    const parsed = JSON.parse(
      python(
        "import sys, json, yaml; print(json.dumps([yaml.safe_load(f)['outs'][0]['path'] for f in json.load(sys.stdin)]))",
        files,
      ),
    );
    expect(parsed).toEqual(paths);
    expect(files[8]).toContain("  path: data/penguins v2\n");
  });
});

describe("run ids against Python", () => {
  it("equals Python's uuid.uuid5 of the same parts", () => {
    const parts = ["my-bucket", "penguins/training/2024.csv", "etag-1", "0.1.0", "1"];
    const id = deterministicUuid(...parts);
    const reference = python(
      `import sys, json, uuid; print(uuid.uuid5(uuid.UUID("${LAKELINE_UUID_NAMESPACE}"), json.dumps(json.load(sys.stdin), separators=(",", ":"), ensure_ascii=False)))`,
      parts,
    );
    expect(id).toBe(reference);
  });
});
