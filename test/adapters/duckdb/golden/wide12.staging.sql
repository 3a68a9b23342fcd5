-- Staging: every row typed and checked in one pass
SELECT
  "c000_int",
  "c001_int",
  "c002_int",
  "c003_float",
  "c004_float",
  "c005_float",
  "c006_text",
  "c007_category",
  "c008_category",
  "c009_category",
  "c010_int",
  "c011_int",
  __ok,
  CASE WHEN NOT __ok THEN json_object(
    'errors', [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11],
    'reasons', list_filter([
      CASE WHEN e0 <> '' THEN e0 || ' ' || 'c000_int' || ': ' || (CASE WHEN r0 IS NULL THEN 'required value is missing' WHEN "c000_int" IS NULL THEN to_json(CASE WHEN length(r0) > 60 THEN left(r0, 60) || '…' ELSE r0 END)::VARCHAR || ' is not INT' WHEN "c000_int" < 0 THEN CAST("c000_int" AS VARCHAR) || ' < min 0' WHEN "c000_int" > 99999 THEN CAST("c000_int" AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN e1 <> '' THEN e1 || ' ' || 'c001_int' || ': ' || (CASE WHEN r1 IS NULL THEN 'required value is missing' WHEN "c001_int" IS NULL THEN to_json(CASE WHEN length(r1) > 60 THEN left(r1, 60) || '…' ELSE r1 END)::VARCHAR || ' is not INT' WHEN "c001_int" < 0 THEN CAST("c001_int" AS VARCHAR) || ' < min 0' WHEN "c001_int" > 99999 THEN CAST("c001_int" AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN e2 <> '' THEN e2 || ' ' || 'c002_int' || ': ' || (CASE WHEN r2 IS NULL THEN 'required value is missing' WHEN "c002_int" IS NULL THEN to_json(CASE WHEN length(r2) > 60 THEN left(r2, 60) || '…' ELSE r2 END)::VARCHAR || ' is not INT' WHEN "c002_int" < 0 THEN CAST("c002_int" AS VARCHAR) || ' < min 0' WHEN "c002_int" > 99999 THEN CAST("c002_int" AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN e3 <> '' THEN e3 || ' ' || 'c003_float' || ': ' || (CASE WHEN r3 IS NULL THEN 'required value is missing' WHEN "c003_float" IS NULL THEN to_json(CASE WHEN length(r3) > 60 THEN left(r3, 60) || '…' ELSE r3 END)::VARCHAR || ' is not FLOAT' WHEN (isnan("c003_float") OR isinf("c003_float")) THEN 'NaN or infinite value' WHEN (NOT isnan("c003_float") AND "c003_float" < -10000) THEN CAST("c003_float" AS VARCHAR) || ' < min -10000' WHEN (NOT isnan("c003_float") AND "c003_float" > 10000) THEN CAST("c003_float" AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN e4 <> '' THEN e4 || ' ' || 'c004_float' || ': ' || (CASE WHEN r4 IS NULL THEN 'required value is missing' WHEN "c004_float" IS NULL THEN to_json(CASE WHEN length(r4) > 60 THEN left(r4, 60) || '…' ELSE r4 END)::VARCHAR || ' is not FLOAT' WHEN (isnan("c004_float") OR isinf("c004_float")) THEN 'NaN or infinite value' WHEN (NOT isnan("c004_float") AND "c004_float" < -10000) THEN CAST("c004_float" AS VARCHAR) || ' < min -10000' WHEN (NOT isnan("c004_float") AND "c004_float" > 10000) THEN CAST("c004_float" AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN e5 <> '' THEN e5 || ' ' || 'c005_float' || ': ' || (CASE WHEN r5 IS NULL THEN 'required value is missing' WHEN "c005_float" IS NULL THEN to_json(CASE WHEN length(r5) > 60 THEN left(r5, 60) || '…' ELSE r5 END)::VARCHAR || ' is not FLOAT' WHEN (isnan("c005_float") OR isinf("c005_float")) THEN 'NaN or infinite value' WHEN (NOT isnan("c005_float") AND "c005_float" < -10000) THEN CAST("c005_float" AS VARCHAR) || ' < min -10000' WHEN (NOT isnan("c005_float") AND "c005_float" > 10000) THEN CAST("c005_float" AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN e6 <> '' THEN e6 || ' ' || 'c006_text' || ': ' || (CASE WHEN r6 IS NULL THEN 'required value is missing' END) END,
      CASE WHEN e7 <> '' THEN e7 || ' ' || 'c007_category' || ': ' || (CASE WHEN r7 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c007_category") THEN to_json("c007_category")::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN e8 <> '' THEN e8 || ' ' || 'c008_category' || ': ' || (CASE WHEN r8 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c008_category") THEN to_json("c008_category")::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN e9 <> '' THEN e9 || ' ' || 'c009_category' || ': ' || (CASE WHEN r9 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c009_category") THEN to_json("c009_category")::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN e10 <> '' THEN e10 || ' ' || 'c010_int' || ': ' || (CASE WHEN r10 IS NULL THEN 'required value is missing' WHEN "c010_int" IS NULL THEN to_json(CASE WHEN length(r10) > 60 THEN left(r10, 60) || '…' ELSE r10 END)::VARCHAR || ' is not INT' WHEN "c010_int" < 0 THEN CAST("c010_int" AS VARCHAR) || ' < min 0' WHEN "c010_int" > 99999 THEN CAST("c010_int" AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN e11 <> '' THEN e11 || ' ' || 'c011_int' || ': ' || (CASE WHEN r11 IS NULL THEN 'required value is missing' WHEN "c011_int" IS NULL THEN to_json(CASE WHEN length(r11) > 60 THEN left(r11, 60) || '…' ELSE r11 END)::VARCHAR || ' is not INT' WHEN "c011_int" < 0 THEN CAST("c011_int" AS VARCHAR) || ' < min 0' WHEN "c011_int" > 99999 THEN CAST("c011_int" AS VARCHAR) || ' > max 99999' END) END
    ], x -> x IS NOT NULL),
    'record', json_object('c000_int', c0, 'c001_int', c1, 'c002_int', c2, 'c003_float', c3, 'c004_float', c4, 'c005_float', c5, 'c006_text', c6, 'c007_category', c7, 'c008_category', c8, 'c009_category', c9, 'c010_int', c10, 'c011_int', c11)::VARCHAR
  )::VARCHAR END AS __bad
FROM (
  SELECT
    *,
    CASE WHEN NOT __ok THEN CASE WHEN r0 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c000_int" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "c000_int" < 0 THEN 'INT_TYPE_SMALL_INT' WHEN "c000_int" > 99999 THEN 'INT_TYPE_BIG_INT' END END AS e0,
    CASE WHEN NOT __ok THEN CASE WHEN r1 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c001_int" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "c001_int" < 0 THEN 'INT_TYPE_SMALL_INT' WHEN "c001_int" > 99999 THEN 'INT_TYPE_BIG_INT' END END AS e1,
    CASE WHEN NOT __ok THEN CASE WHEN r2 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c002_int" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "c002_int" < 0 THEN 'INT_TYPE_SMALL_INT' WHEN "c002_int" > 99999 THEN 'INT_TYPE_BIG_INT' END END AS e2,
    CASE WHEN NOT __ok THEN CASE WHEN r3 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c003_float" IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan("c003_float") OR isinf("c003_float")) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan("c003_float") AND "c003_float" < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan("c003_float") AND "c003_float" > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS e3,
    CASE WHEN NOT __ok THEN CASE WHEN r4 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c004_float" IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan("c004_float") OR isinf("c004_float")) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan("c004_float") AND "c004_float" < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan("c004_float") AND "c004_float" > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS e4,
    CASE WHEN NOT __ok THEN CASE WHEN r5 IS NULL THEN '' WHEN "c005_float" IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan("c005_float") OR isinf("c005_float")) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan("c005_float") AND "c005_float" < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan("c005_float") AND "c005_float" > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS e5,
    CASE WHEN NOT __ok THEN CASE WHEN r6 IS NULL THEN '' END END AS e6,
    CASE WHEN NOT __ok THEN CASE WHEN r7 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c007_category") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e7,
    CASE WHEN NOT __ok THEN CASE WHEN r8 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c008_category") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e8,
    CASE WHEN NOT __ok THEN CASE WHEN r9 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c009_category") THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS e9,
    CASE WHEN NOT __ok THEN CASE WHEN r10 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c010_int" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "c010_int" < 0 THEN 'INT_TYPE_SMALL_INT' WHEN "c010_int" > 99999 THEN 'INT_TYPE_BIG_INT' END END AS e10,
    CASE WHEN NOT __ok THEN CASE WHEN r11 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN "c011_int" IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN "c011_int" < 0 THEN 'INT_TYPE_SMALL_INT' WHEN "c011_int" > 99999 THEN 'INT_TYPE_BIG_INT' END END AS e11
  FROM (
    SELECT
      *,
      (
        (r0 IS NOT NULL AND "c000_int" IS NOT NULL AND NOT "c000_int" < 0 AND NOT "c000_int" > 99999)
        AND (r1 IS NOT NULL AND "c001_int" IS NOT NULL AND NOT "c001_int" < 0 AND NOT "c001_int" > 99999)
        AND (r2 IS NOT NULL AND "c002_int" IS NOT NULL AND NOT "c002_int" < 0 AND NOT "c002_int" > 99999)
        AND (r3 IS NOT NULL AND "c003_float" IS NOT NULL AND NOT (isnan("c003_float") OR isinf("c003_float")) AND NOT (NOT isnan("c003_float") AND "c003_float" < -10000) AND NOT (NOT isnan("c003_float") AND "c003_float" > 10000))
        AND (r4 IS NOT NULL AND "c004_float" IS NOT NULL AND NOT (isnan("c004_float") OR isinf("c004_float")) AND NOT (NOT isnan("c004_float") AND "c004_float" < -10000) AND NOT (NOT isnan("c004_float") AND "c004_float" > 10000))
        AND (r5 IS NULL OR ("c005_float" IS NOT NULL AND NOT (isnan("c005_float") OR isinf("c005_float")) AND NOT (NOT isnan("c005_float") AND "c005_float" < -10000) AND NOT (NOT isnan("c005_float") AND "c005_float" > 10000)))
        AND (r6 IS NULL OR (true))
        AND (r7 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c007_category"))
        AND (r8 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c008_category"))
        AND (r9 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], "c009_category"))
        AND (r10 IS NOT NULL AND "c010_int" IS NOT NULL AND NOT "c010_int" < 0 AND NOT "c010_int" > 99999)
        AND (r11 IS NOT NULL AND "c011_int" IS NOT NULL AND NOT "c011_int" < 0 AND NOT "c011_int" > 99999)
      ) AS __ok
    FROM (
      SELECT
        *,
        CASE WHEN TRY_CAST(r0 AS BIGINT)::VARCHAR = r0 THEN TRY_CAST(r0 AS BIGINT) WHEN regexp_full_match(r0, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r0 AS BIGINT) END AS "c000_int",
        CASE WHEN TRY_CAST(r1 AS BIGINT)::VARCHAR = r1 THEN TRY_CAST(r1 AS BIGINT) WHEN regexp_full_match(r1, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r1 AS BIGINT) END AS "c001_int",
        CASE WHEN TRY_CAST(r2 AS BIGINT)::VARCHAR = r2 THEN TRY_CAST(r2 AS BIGINT) WHEN regexp_full_match(r2, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r2 AS BIGINT) END AS "c002_int",
        TRY_CAST(r3 AS DOUBLE) AS "c003_float",
        TRY_CAST(r4 AS DOUBLE) AS "c004_float",
        TRY_CAST(r5 AS DOUBLE) AS "c005_float",
        r6 AS "c006_text",
        r7 AS "c007_category",
        r8 AS "c008_category",
        r9 AS "c009_category",
        CASE WHEN TRY_CAST(r10 AS BIGINT)::VARCHAR = r10 THEN TRY_CAST(r10 AS BIGINT) WHEN regexp_full_match(r10, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r10 AS BIGINT) END AS "c010_int",
        CASE WHEN TRY_CAST(r11 AS BIGINT)::VARCHAR = r11 THEN TRY_CAST(r11 AS BIGINT) WHEN regexp_full_match(r11, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(r11 AS BIGINT) END AS "c011_int"
      FROM (
        SELECT
          *,
          c0 AS r0,
          c1 AS r1,
          c2 AS r2,
          c3 AS r3,
          c4 AS r4,
          c5 AS r5,
          c6 AS r6,
          c7 AS r7,
          c8 AS r8,
          c9 AS r9,
          c10 AS r10,
          c11 AS r11
        FROM read_csv(
          '/data/wide12.csv',
          header = true,
          auto_detect = false,
          columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR'},
          delim = ',',
          quote = '"',
          escape = '"',
          strict_mode = true,
          store_rejects = true,
          rejects_table = 'rejects_golden',
          rejects_scan = 'scan_golden',
          max_line_size = 8388608,
          buffer_size = 33554432
        )
      ) AS raw
    ) AS typed
  ) AS checked
) AS coded;
