WITH "v0_src" AS (SELECT "symbol", "price_date" AS "_ev", "_ingested_at" AS "_ing", "_run_id" AS "_run", "_source_row" AS "_srow", "price" AS "f0"
FROM "stocks"
WHERE "_environment" = 'TRAINING' AND "_ingested_at" <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z') AND "price_date" IS NOT NULL AND "symbol" IS NOT NULL AND "_run_id" IN (SELECT "runId"
FROM (SELECT "runId", row_number() OVER (PARTITION BY upper("environment"), coalesce("sourceMd5", 'run:' || "runId") ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank"
FROM (SELECT *
FROM "stocks_runs"
WHERE "dataset" = 'stocks' AND from_iso8601_timestamp("ingestedAt") <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z')) AS "markers"
WHERE "status" = 'ok') AS "ranked"
WHERE "_rank" = 1)), "v0_pick" AS (SELECT "e"."_row" AS "_row", "s"."f0", row_number() OVER (PARTITION BY "e"."_row" ORDER BY "s"."_ev" DESC, "s"."_ing" DESC, "s"."_run" DESC, "s"."_srow" DESC) AS "_rank"
FROM "_lakeline_entities_run_attempt" AS "e"
JOIN "v0_src" AS "s" ON "s"."symbol" = "e"."symbol" AND "s"."_ev" <= "e"."event_timestamp" AND "s"."_ev" >= date_add('second', -7948800, "e"."event_timestamp")), "v1_src" AS (SELECT "location", "date" AS "_ev", "_ingested_at" AS "_ing", "_run_id" AS "_run", "_source_row" AS "_srow", "temp_max" AS "f0", "precipitation" AS "f1"
FROM "weather"
WHERE "_environment" = 'TRAINING' AND "_ingested_at" <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z') AND "date" IS NOT NULL AND "location" IS NOT NULL AND "_run_id" IN (SELECT "runId"
FROM (SELECT "runId", row_number() OVER (PARTITION BY upper("environment"), coalesce("sourceMd5", 'run:' || "runId") ORDER BY "ingestedAt" DESC, "runId" DESC) AS "_rank"
FROM (SELECT *
FROM "weather_runs"
WHERE "dataset" = 'weather' AND from_iso8601_timestamp("ingestedAt") <= from_iso8601_timestamp('2024-05-02T00:00:00.000Z')) AS "markers"
WHERE "status" = 'ok') AS "ranked"
WHERE "_rank" = 1)), "v1_pick" AS (SELECT "e"."_row" AS "_row", "s"."f0", "s"."f1", row_number() OVER (PARTITION BY "e"."_row" ORDER BY "s"."_ev" DESC, "s"."_ing" DESC, "s"."_run" DESC, "s"."_srow" DESC) AS "_rank"
FROM "_lakeline_entities_run_attempt" AS "e"
JOIN "v1_src" AS "s" ON "s"."location" = "e"."location" AND "s"."_ev" <= "e"."event_timestamp")
SELECT "e"."symbol", "e"."location", "e"."event_timestamp", "e"."label", "t0"."f0" AS "stock_prices__price", "t1"."f0" AS "daily_weather__temp_max", "t1"."f1" AS "daily_weather__precipitation", "e"."_row"
FROM "_lakeline_entities_run_attempt" AS "e"
LEFT JOIN "v0_pick" AS "t0" ON "t0"."_row" = "e"."_row" AND "t0"."_rank" = 1
LEFT JOIN "v1_pick" AS "t1" ON "t1"."_row" = "e"."_row" AND "t1"."_rank" = 1
