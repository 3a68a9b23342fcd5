-- Staging: every row typed and checked in one pass
SELECT
  "species",
  "island",
  "beak_length_mm",
  "beak_depth_mm",
  "flipper_length_mm",
  "body_mass_g",
  "sex",
  __ok,
  CASE WHEN NOT __ok THEN json_object(
    'errors', [e0, e1, e2, e3, e4, e5, e6],
    'reasons', CASE WHEN coalesce(__malformed, false) THEN ['RECORD_MALFORMED line #: not a JSON object: ' || coalesce(to_json(left(j, 60))::VARCHAR, 'null')] ELSE list_filter([
      CASE WHEN e0 <> '' THEN e0 || ' ' || 'Species' || ': ' || (CASE WHEN r0 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['Adelie', 'Chinstrap', 'Gentoo'], "species") THEN to_json("species")::VARCHAR || ' not in [Adelie, Chinstrap, Gentoo]' END) END,
      CASE WHEN e1 <> '' THEN e1 || ' ' || 'Island' || ': ' || (CASE WHEN r1 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['Biscoe', 'Dream', 'Torgersen'], "island") THEN to_json("island")::VARCHAR || ' not in [Biscoe, Dream, Torgersen]' END) END,
      CASE WHEN e2 <> '' THEN e2 || ' ' || 'Beak Length (mm)' || ': ' || (CASE WHEN r2 IS NULL THEN 'required value is missing' WHEN "beak_length_mm" IS NULL THEN to_json(CASE WHEN length(r2) > 60 THEN left(r2, 60) || '…' ELSE r2 END)::VARCHAR || ' is not FLOAT' WHEN (isnan("beak_length_mm") OR isinf("beak_length_mm")) THEN 'NaN or infinite value' WHEN (NOT isnan("beak_length_mm") AND "beak_length_mm" < 25) THEN CAST("beak_length_mm" AS VARCHAR) || ' < min 25' WHEN (NOT isnan("beak_length_mm") AND "beak_length_mm" > 70) THEN CAST("beak_length_mm" AS VARCHAR) || ' > max 70' END) END,
      CASE WHEN e3 <> '' THEN e3 || ' ' || 'Beak Depth (mm)' || ': ' || (CASE WHEN r3 IS NULL THEN 'required value is missing' WHEN "beak_depth_mm" IS NULL THEN to_json(CASE WHEN length(r3) > 60 THEN left(r3, 60) || '…' ELSE r3 END)::VARCHAR || ' is not FLOAT' WHEN (isnan("beak_depth_mm") OR isinf("beak_depth_mm")) THEN 'NaN or infinite value' WHEN (NOT isnan("beak_depth_mm") AND "beak_depth_mm" < 10) THEN CAST("beak_depth_mm" AS VARCHAR) || ' < min 10' WHEN (NOT isnan("beak_depth_mm") AND "beak_depth_mm" > 25) THEN CAST("beak_depth_mm" AS VARCHAR) || ' > max 25' END) END,
      CASE WHEN e4 <> '' THEN e4 || ' ' || 'Flipper Length (mm)' || ': ' || (CASE WHEN r4 IS NULL THEN 'required value is missing' WHEN "flipper_length_mm" IS NULL THEN to_json(CASE WHEN length(r4) > 60 THEN left(r4, 60) || '…' ELSE r4 END)::VARCHAR || ' is not INT' WHEN "flipper_length_mm" < 150 THEN CAST("flipper_length_mm" AS VARCHAR) || ' < min 150' WHEN "flipper_length_mm" > 250 THEN CAST("flipper_length_mm" AS VARCHAR) || ' > max 250' END) END,
      CASE WHEN e5 <> '' THEN e5 || ' ' || 'Body Mass (g)' || ': ' || (CASE WHEN r5 IS NULL THEN 'required value is missing' WHEN "body_mass_g" IS NULL THEN to_json(CASE WHEN length(r5) > 60 THEN left(r5, 60) || '…' ELSE r5 END)::VARCHAR || ' is not INT' WHEN "body_mass_g" < 2000 THEN CAST("body_mass_g" AS VARCHAR) || ' < min 2000' WHEN "body_mass_g" > 7000 THEN CAST("body_mass_g" AS VARCHAR) || ' > max 7000' END) END,
      CASE WHEN e6 <> '' THEN e6 || ' ' || 'Sex' || ': ' || (CASE WHEN r6 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['MALE', 'FEMALE'], "sex") THEN to_json("sex")::VARCHAR || ' not in [MALE, FEMALE]' END) END
    ], x -> x IS NOT NULL) END,
    'record', j
  )::VARCHAR END AS __bad,
  coalesce(__malformed, false) AS __bad_record
FROM (
  SELECT
    *,
    CASE WHEN NOT __ok THEN CASE WHEN r0 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['Adelie', 'Chinstrap', 'Gentoo'], "species") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e0,
    CASE WHEN NOT __ok THEN CASE WHEN r1 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['Biscoe', 'Dream', 'Torgersen'], "island") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e1,
    CASE WHEN NOT __ok THEN CASE WHEN r2 IS NULL THEN '' WHEN "beak_length_mm" IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan("beak_length_mm") OR isinf("beak_length_mm")) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan("beak_length_mm") AND "beak_length_mm" < 25) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan("beak_length_mm") AND "beak_length_mm" > 70) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS e2,
    CASE WHEN NOT __ok THEN CASE WHEN r3 IS NULL THEN '' WHEN "beak_depth_mm" IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan("beak_depth_mm") OR isinf("beak_depth_mm")) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan("beak_depth_mm") AND "beak_depth_mm" < 10) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan("beak_depth_mm") AND "beak_depth_mm" > 25) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS e3,
    CASE WHEN NOT __ok THEN CASE WHEN r4 IS NULL THEN '' WHEN "flipper_length_mm" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "flipper_length_mm" < 150 THEN 'INT_TYPE_SMALL_INT' WHEN "flipper_length_mm" > 250 THEN 'INT_TYPE_BIG_INT' END END AS e4,
    CASE WHEN NOT __ok THEN CASE WHEN r5 IS NULL THEN '' WHEN "body_mass_g" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "body_mass_g" < 2000 THEN 'INT_TYPE_SMALL_INT' WHEN "body_mass_g" > 7000 THEN 'INT_TYPE_BIG_INT' END END AS e5,
    CASE WHEN NOT __ok THEN CASE WHEN r6 IS NULL THEN '' WHEN NOT list_contains(['MALE', 'FEMALE'], "sex") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e6
  FROM (
    SELECT
      *,
      CASE WHEN __blank THEN NULL ELSE (
        (r0 IS NOT NULL AND list_contains(['Adelie', 'Chinstrap', 'Gentoo'], "species"))
        AND (r1 IS NOT NULL AND list_contains(['Biscoe', 'Dream', 'Torgersen'], "island"))
        AND (r2 IS NULL OR ("beak_length_mm" IS NOT NULL AND NOT (isnan("beak_length_mm") OR isinf("beak_length_mm")) AND NOT (NOT isnan("beak_length_mm") AND "beak_length_mm" < 25) AND NOT (NOT isnan("beak_length_mm") AND "beak_length_mm" > 70)))
        AND (r3 IS NULL OR ("beak_depth_mm" IS NOT NULL AND NOT (isnan("beak_depth_mm") OR isinf("beak_depth_mm")) AND NOT (NOT isnan("beak_depth_mm") AND "beak_depth_mm" < 10) AND NOT (NOT isnan("beak_depth_mm") AND "beak_depth_mm" > 25)))
        AND (r4 IS NULL OR ("flipper_length_mm" IS NOT NULL AND NOT "flipper_length_mm" < 150 AND NOT "flipper_length_mm" > 250))
        AND (r5 IS NULL OR ("body_mass_g" IS NOT NULL AND NOT "body_mass_g" < 2000 AND NOT "body_mass_g" > 7000))
        AND (r6 IS NULL OR (list_contains(['MALE', 'FEMALE'], "sex")))
        AND NOT coalesce(__malformed, false)
      ) END AS __ok
    FROM (
      SELECT
        *,
        r0 AS "species",
        r1 AS "island",
        TRY_CAST(r2 AS DOUBLE) AS "beak_length_mm",
        TRY_CAST(r3 AS DOUBLE) AS "beak_depth_mm",
        CASE WHEN TRY_CAST(r4 AS BIGINT)::VARCHAR = r4 THEN TRY_CAST(r4 AS BIGINT) WHEN regexp_full_match(r4, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r4 AS BIGINT) END AS "flipper_length_mm",
        CASE WHEN TRY_CAST(r5 AS BIGINT)::VARCHAR = r5 THEN TRY_CAST(r5 AS BIGINT) WHEN regexp_full_match(r5, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r5 AS BIGINT) END AS "body_mass_g",
        r6 AS "sex"
      FROM (
        SELECT
          *,
          __vals[1] AS r0,
          __vals[2] AS r1,
          __vals[3] AS r2,
          __vals[4] AS r3,
          __vals[5] AS r4,
          __vals[6] AS r5,
          __vals[7] AS r6
        FROM (
          SELECT
            *,
            __vals IS NULL AS __malformed
          FROM (
            SELECT
              *,
              CASE WHEN starts_with(j, '{') THEN try(json_extract_string(j, ['/Species', '/Island', '/Beak Length (mm)', '/Beak Depth (mm)', '/Flipper Length (mm)', '/Body Mass (g)', '/Sex'])) WHEN (CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' ELSE false END) THEN json_extract_string(j, ['/Species', '/Island', '/Beak Length (mm)', '/Beak Depth (mm)', '/Flipper Length (mm)', '/Body Mass (g)', '/Sex']) END AS __vals
            FROM (
              SELECT
                j,
                CASE WHEN j IS NULL THEN true WHEN starts_with(j, '{') THEN false ELSE trim(j) = '' END AS __blank
              FROM read_csv(
                '/data/penguins.jsonl',
                columns = {'j': 'VARCHAR'},
                header = false,
                auto_detect = false,
                delim = chr(31),
                quote = '',
                escape = '',
                store_rejects = true,
                rejects_table = 'rejects_golden',
                rejects_scan = 'scan_golden',
                max_line_size = 8388608,
                buffer_size = 33554432
              )
            )
          ) AS extracted
        )
      ) AS raw
    ) AS typed
  ) AS checked
) AS coded;
