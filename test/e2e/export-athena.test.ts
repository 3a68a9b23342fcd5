/**
 * The Athena path of an export, with a fake QueryEngine in Athena's place (there is no local
 * Athena): the count query and one UNLOAD per non-empty split are issued in order, in Trino SQL,
 * to a fresh staging prefix of the exports bucket; the files UNLOAD leaves there become the parts.
 * Everything else — markers, hashing, the DVC remote, the manifest — runs for real on a local lake.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { localExportDeps } from "../../cli/deps/export.js";
import { AthenaExportWriter } from "../../src/adapters/aws/athena-export-writer.js";
import { Database } from "../../src/adapters/duckdb/database.js";
import { localLakeStores } from "../../src/adapters/local/lake.js";
import { localConfig } from "../../src/contract/env.js";
import { dvcDirJson, dvcObjectPath } from "../../src/core/hash/dvc.js";
import { exportDataset } from "../../src/pipeline/export/export.js";
import { hashPath } from "../../src/pipeline/shared/hash-files.js";
import type { ExportEngine, QueryResult } from "../../src/ports/query-engine.js";
import { VEGA } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { dvcPull, folderDigest, ingest, md5 } from "./export-support.js";

describe("export on Athena", () => {
  it("counts, UNLOADs each non-empty split to a fresh staging prefix, and publishes the unloaded files", async () => {
    // Prepare: a real lake with committed penguins; Parquet files standing in for UNLOAD's output.
    const dir = await tempDir("export-athena");
    const lake = path.join(dir, "lake");
    await ingest(lake, path.join(VEGA, "penguins.json"), "penguins");
    const exportsStore = localLakeStores(lake).exports;
    const db = await Database.open();
    const parquet = async (name: string, limit: number, offset: number) => {
      const file = path.join(dir, name);
      await db.exec(
        `COPY (SELECT "Species" AS species, "Island" AS island FROM read_json('${VEGA}/penguins.json') LIMIT ${limit} OFFSET ${offset}) TO '${file}' (FORMAT parquet)`,
      );
      return file;
    };
    const unloaded: Record<string, string[]> = {
      train: [await parquet("t0", 2, 0), await parquet("t1", 1, 2)],
      eval: [await parquet("e0", 2, 3)],
    };
    db.close();
    const calls: string[] = [];
    const fake: ExportEngine = {
      name: "athena",
      async query(sql: string): Promise<QueryResult> {
        calls.push(sql);
        if (/^SELECT\s+"_split" AS "split",\s+count\(\*\)/.test(sql)) {
          return {
            columns: [
              { name: "split", type: "VARCHAR" },
              { name: "rows", type: "BIGINT" },
            ],
            rows: [
              { split: "train", rows: 3 },
              { split: "eval", rows: 2 },
            ],
          };
        }
        const m =
          /^UNLOAD \(\n.*\n\) TO 's3:\/\/exports\/([^']+)' WITH \(format = 'PARQUET', compression = 'SNAPPY'\)$/s.exec(
            sql,
          );
        if (!m) throw new Error(`unexpected SQL: ${sql.slice(0, 80)}`);
        const split = m[1]!.split("/").at(-2)!;
        // Athena names files by query id; the export orders them by key.
        for (const [i, file] of unloaded[split]!.entries())
          await exportsStore.putFile(`${m[1]}20240101_q${i}_0000${i}`, file);
        return { columns: [], rows: [] };
      },
      async close() {},
    };
    const deps = localExportDeps(localConfig({ lake }), {
      writer: new AthenaExportWriter({
        openEngine: async () => fake,
        exports: exportsStore,
        attemptId: () => "attempt-1",
      }),
    });
    // Act
    const result = await exportDataset(deps, { dataset: "penguins" });
    // Assess
    const staging = `_staging/${result.runId}/attempt-1/`;
    expect(calls).toHaveLength(3);
    // One clause per line (the golden files in test/core/export show them whole)
    const flat = (sql: string) => sql.replace(/\s+/g, " ");
    expect(flat(calls[0]!)).toMatch(
      /^SELECT "_split" AS "split", count\(\*\) AS "rows" FROM \( SELECT "species", "island", .* \) AS "export" GROUP BY 1$/,
    );
    expect(flat(calls[1]!)).toMatch(
      new RegExp(
        `^UNLOAD \\( SELECT "species", "island", "beak_length_mm", "beak_depth_mm", "flipper_length_mm", "body_mass_g", "sex" FROM \\( .* \\) AS "export" WHERE "_split" = 'train' \\) TO 's3://exports/${staging}train/' WITH \\(format = 'PARQUET', compression = 'SNAPPY'\\)$`,
      ),
    );
    expect(flat(calls[2]!)).toContain(`WHERE "_split" = 'eval' ) TO 's3://exports/${staging}eval/'`);
    for (const sql of calls) {
      expect(sql).toContain(`"_ingested_at" <= from_iso8601_timestamp('${result.asOf}')`);
      expect(sql).toContain(`"_environment" = 'TRAINING'`);
      expect(sql).toContain("from_base(substr(to_hex(md5(to_utf8('lakeline' || '|' || ");
      expect(sql).not.toMatch(/TIMESTAMPTZ|isnan\(|strftime|base64\(/);
    }
    expect(result).toMatchObject({
      status: "exported",
      rows: { train: 3, eval: 2, test: 0 },
      totalRows: 5,
      nfiles: 3,
    });
    const data = path.join(lake, "exports", result.keys!.data);
    expect(folderDigest(data)).toEqual({
      "train/part-0.parquet": md5(fs.readFileSync(unloaded.train![0]!)),
      "train/part-1.parquet": md5(fs.readFileSync(unloaded.train![1]!)),
      "eval/part-0.parquet": md5(fs.readFileSync(unloaded.eval![0]!)),
    });
    expect(
      dvcPull(
        path.join(lake, "exports"),
        path.join(lake, "exports", result.keys!.dvcFile),
        path.join(dir, "repo"),
      ).md5,
    ).toBe(result.md5);
    const manifest = JSON.parse(fs.readFileSync(path.join(lake, "exports", result.keys!.manifest), "utf8"));
    expect(manifest.engine).toBe("athena");
    expect(flat(calls[0]!)).toBe(
      `SELECT "_split" AS "split", count(*) AS "rows" FROM ( ${flat(manifest.query)} ) AS "export" GROUP BY 1`,
    );
    // The version and .dir object, made from digests streamed out of the store, are what hashing
    // the published files on disk gives.
    const local = await hashPath(data);
    if (local.kind !== "dir") throw new Error("not a folder");
    expect(local.md5).toBe(result.md5);
    const dirObject = path.join(lake, "exports", dvcObjectPath(result.md5!));
    expect(fs.readFileSync(dirObject, "utf8")).toBe(dvcDirJson(local.entries));
  });
});
