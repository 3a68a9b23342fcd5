/**
 * The layers, enforced: core (and its tests) is pure, the pipeline sees ports (not adapters), adapters stand alone,
 * infra knows the pipeline only through src/contract, and src has no import cycle.
 */
import { describe, expect, it } from "vitest";
import { importsOf, longFunctions, read, sourceFiles } from "./source-files.js";

const under = (file: string | undefined, ...dirs: string[]) =>
  file !== undefined && dirs.some((d) => file.startsWith(`${d}/`));

/** `file imports target` for every relative import of files under `dir` that `allowed` refuses. */
function violations(dir: string, allowed: (file: string, target: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of sourceFiles(dir))
    for (const { target } of importsOf(file))
      if (target !== undefined && !allowed(file, target)) out.push(`${file} imports ${target}`);
  return out;
}

function packageImports(dir: string, forbidden: RegExp): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .filter((i) => i.target === undefined && forbidden.test(i.specifier))
      .map((i) => `${file} imports ${i.specifier}`),
  );
}

const adapterOf = (file: string) => /^src\/adapters\/([^/]+)\//.exec(file)?.[1];

describe("architecture", () => {
  it("keeps src/core pure: no I/O, engine, SDK or environment, nothing outside core", () => {
    const io =
      /^(node:(fs|fs\/promises|child_process|os|net|http|https|worker_threads)|@duckdb\/|@aws-sdk\/)/;
    expect(packageImports("src/core", io)).toEqual([]);
    expect(violations("src/core", (_f, t) => under(t, "src/core"))).toEqual([]);
    const env = sourceFiles("src/core").filter((f) => /process\.(env|cwd)/.test(read(f)));
    expect(env).toEqual([]);
  });

  it("keeps test/core as pure as what it tests: no I/O, and from src only src/core", () => {
    const io =
      /^(node:(fs|fs\/promises|child_process|os|net|http|https|worker_threads)|@duckdb\/|@aws-sdk\/)/;
    expect(packageImports("test/core", io)).toEqual([]);
    expect(violations("test/core", (_f, t) => !t.startsWith("src/") || under(t, "src/core"))).toEqual([]);
    expect(violations("test/core", (_f, t) => !under(t, "test/support"))).toEqual([]);
  });

  it("lets the pipeline use ports, contract and core, never an adapter or an entry point", () => {
    const allowed = (_f: string, t: string) =>
      under(t, "src/pipeline", "src/ports", "src/contract", "src/core");
    expect(violations("src/pipeline", allowed)).toEqual([]);
    expect(packageImports("src/pipeline", /^(@duckdb\/|@aws-sdk\/)/)).toEqual([]);
  });

  it("keeps ports and contract free of pipeline and adapters", () => {
    expect(violations("src/ports", (_f, t) => under(t, "src/ports", "src/core"))).toEqual([]);
    expect(violations("src/contract", (_f, t) => under(t, "src/contract", "src/core"))).toEqual([]);
  });

  it("keeps each adapter to itself: no other adapter, no pipeline, no functions/ or cli/", () => {
    const allowed = (f: string, t: string) =>
      under(t, "src/ports", "src/contract", "src/core") || adapterOf(t) === adapterOf(f);
    expect(violations("src/adapters", allowed)).toEqual([]);
  });

  it("lets infra import from src only src/contract", () => {
    const allowed = (_f: string, t: string) => !t.startsWith("src/") || under(t, "src/contract");
    expect(violations("infra", allowed)).toEqual([]);
  });

  it("has no import cycle in src", () => {
    const files = sourceFiles("src");
    const edges = new Map(files.map((f) => [f, importsOf(f).flatMap((i) => (i.target ? [i.target] : []))]));
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const walk = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of edges.get(file) ?? []) walk(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const f of files) walk(f, []);
    expect(cycles).toEqual([]);
  });

  it("keeps every function in src/pipeline within 60 lines", () => {
    expect(sourceFiles("src/pipeline").flatMap((f) => longFunctions(f, 60))).toEqual([]);
  });
});
