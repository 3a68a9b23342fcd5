CREATE OR REPLACE TEMP TABLE "_lakeline_export" AS
SELECT
  "species" AS __c0,
  "island" AS __c1,
  "_split"
FROM (
  SELECT
    "species",
    "island",
    "_source_md5",
    "_source_row",
    CASE WHEN "_bucket" < 8000 THEN 'train' WHEN "_bucket" < 9000 THEN 'eval' ELSE 'test' END AS "_split"
  FROM (
    SELECT
      "species",
      "island",
      "_source_md5",
      "_source_row",
      (CAST(('0x' || substr(md5('lakeline' || '|' || (CASE WHEN "island" IS NULL THEN '\N' ELSE replace(replace("island", '\', '\\'), '|', '\|') END) || '|' || (CASE WHEN "beak_length_mm" IS NULL THEN '\N' ELSE CASE WHEN isnan("beak_length_mm") THEN 'NaN' WHEN isinf("beak_length_mm") THEN (CASE WHEN "beak_length_mm" > 0 THEN 'Infinity' ELSE '-Infinity' END) WHEN abs("beak_length_mm") < 1e12 THEN CAST(CAST(floor("beak_length_mm" * 1e6 + 0.5e0) AS BIGINT) AS VARCHAR) WHEN abs("beak_length_mm") < 9e18 THEN 'E' || CAST(CAST(floor("beak_length_mm" + 0.5e0) AS BIGINT) AS VARCHAR) WHEN "beak_length_mm" > 0 THEN 'Big' ELSE '-Big' END END)), 1, 8)) AS BIGINT) % 10000) AS "_bucket"
    FROM "penguins"
    WHERE "_ingested_at" <= TIMESTAMPTZ '2024-05-01T00:00:00.000Z'
      AND "_environment" = 'TRAINING'
      AND "_run_id" IN (
        SELECT "runId"
        FROM (
          SELECT
            "runId",
            row_number() OVER (PARTITION BY upper("environment"), coalesce("sourceMd5", 'run:' || "runId") ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank"
          FROM (
            SELECT *
            FROM "lakeline_runs"
            WHERE "dataset" = 'penguins'
              AND "ingestedAt" <= TIMESTAMPTZ '2024-05-02T00:00:00.000Z'
          ) AS "markers"
          WHERE "status" = 'ok'
        ) AS "ranked"
        WHERE "_rank" = 1
      )
      AND (island <> 'Dream')
  ) AS "snapshot"
) AS "snapshot"
ORDER BY "_split", "_source_md5", "_source_row"
