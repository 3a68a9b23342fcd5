-- Staging: every row typed and checked in one pass
SELECT
  __t0,
  __t1,
  __t2,
  __t3,
  __t4,
  __t5,
  __t6,
  __t7,
  __t8,
  __t9,
  __t10,
  __t11,
  __ok,
  CASE WHEN NOT __ok THEN json_object(
    'errors', [__e0, __e1, __e2, __e3, __e4, __e5, __e6, __e7, __e8, __e9, __e10, __e11],
    'reasons', list_filter([
      CASE WHEN __e0 <> '' THEN __e0 || ' ' || 'c000_int' || ': ' || (CASE WHEN __r0 IS NULL THEN 'required value is missing' WHEN __t0 IS NULL THEN to_json(CASE WHEN length(__r0) > 60 THEN left(__r0, 60) || '…' ELSE __r0 END)::VARCHAR || ' is not INT' WHEN __t0 < 0 THEN CAST(__t0 AS VARCHAR) || ' < min 0' WHEN __t0 > 99999 THEN CAST(__t0 AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN __e1 <> '' THEN __e1 || ' ' || 'c001_int' || ': ' || (CASE WHEN __r1 IS NULL THEN 'required value is missing' WHEN __t1 IS NULL THEN to_json(CASE WHEN length(__r1) > 60 THEN left(__r1, 60) || '…' ELSE __r1 END)::VARCHAR || ' is not INT' WHEN __t1 < 0 THEN CAST(__t1 AS VARCHAR) || ' < min 0' WHEN __t1 > 99999 THEN CAST(__t1 AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN __e2 <> '' THEN __e2 || ' ' || 'c002_int' || ': ' || (CASE WHEN __r2 IS NULL THEN 'required value is missing' WHEN __t2 IS NULL THEN to_json(CASE WHEN length(__r2) > 60 THEN left(__r2, 60) || '…' ELSE __r2 END)::VARCHAR || ' is not INT' WHEN __t2 < 0 THEN CAST(__t2 AS VARCHAR) || ' < min 0' WHEN __t2 > 99999 THEN CAST(__t2 AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN __e3 <> '' THEN __e3 || ' ' || 'c003_float' || ': ' || (CASE WHEN __r3 IS NULL THEN 'required value is missing' WHEN __t3 IS NULL THEN to_json(CASE WHEN length(__r3) > 60 THEN left(__r3, 60) || '…' ELSE __r3 END)::VARCHAR || ' is not FLOAT' WHEN (isnan(__t3) OR isinf(__t3)) THEN 'NaN or infinite value' WHEN (NOT isnan(__t3) AND __t3 < -10000) THEN CAST(__t3 AS VARCHAR) || ' < min -10000' WHEN (NOT isnan(__t3) AND __t3 > 10000) THEN CAST(__t3 AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN __e4 <> '' THEN __e4 || ' ' || 'c004_float' || ': ' || (CASE WHEN __r4 IS NULL THEN 'required value is missing' WHEN __t4 IS NULL THEN to_json(CASE WHEN length(__r4) > 60 THEN left(__r4, 60) || '…' ELSE __r4 END)::VARCHAR || ' is not FLOAT' WHEN (isnan(__t4) OR isinf(__t4)) THEN 'NaN or infinite value' WHEN (NOT isnan(__t4) AND __t4 < -10000) THEN CAST(__t4 AS VARCHAR) || ' < min -10000' WHEN (NOT isnan(__t4) AND __t4 > 10000) THEN CAST(__t4 AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN __e5 <> '' THEN __e5 || ' ' || 'c005_float' || ': ' || (CASE WHEN __r5 IS NULL THEN 'required value is missing' WHEN __t5 IS NULL THEN to_json(CASE WHEN length(__r5) > 60 THEN left(__r5, 60) || '…' ELSE __r5 END)::VARCHAR || ' is not FLOAT' WHEN (isnan(__t5) OR isinf(__t5)) THEN 'NaN or infinite value' WHEN (NOT isnan(__t5) AND __t5 < -10000) THEN CAST(__t5 AS VARCHAR) || ' < min -10000' WHEN (NOT isnan(__t5) AND __t5 > 10000) THEN CAST(__t5 AS VARCHAR) || ' > max 10000' END) END,
      CASE WHEN __e6 <> '' THEN __e6 || ' ' || 'c006_text' || ': ' || (CASE WHEN __r6 IS NULL THEN 'required value is missing' END) END,
      CASE WHEN __e7 <> '' THEN __e7 || ' ' || 'c007_category' || ': ' || (CASE WHEN __r7 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t7) THEN to_json(__t7)::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN __e8 <> '' THEN __e8 || ' ' || 'c008_category' || ': ' || (CASE WHEN __r8 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t8) THEN to_json(__t8)::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN __e9 <> '' THEN __e9 || ' ' || 'c009_category' || ': ' || (CASE WHEN __r9 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t9) THEN to_json(__t9)::VARCHAR || ' not in [red, green, blue, cyan, magenta, yellow, black, white]' END) END,
      CASE WHEN __e10 <> '' THEN __e10 || ' ' || 'c010_int' || ': ' || (CASE WHEN __r10 IS NULL THEN 'required value is missing' WHEN __t10 IS NULL THEN to_json(CASE WHEN length(__r10) > 60 THEN left(__r10, 60) || '…' ELSE __r10 END)::VARCHAR || ' is not INT' WHEN __t10 < 0 THEN CAST(__t10 AS VARCHAR) || ' < min 0' WHEN __t10 > 99999 THEN CAST(__t10 AS VARCHAR) || ' > max 99999' END) END,
      CASE WHEN __e11 <> '' THEN __e11 || ' ' || 'c011_int' || ': ' || (CASE WHEN __r11 IS NULL THEN 'required value is missing' WHEN __t11 IS NULL THEN to_json(CASE WHEN length(__r11) > 60 THEN left(__r11, 60) || '…' ELSE __r11 END)::VARCHAR || ' is not INT' WHEN __t11 < 0 THEN CAST(__t11 AS VARCHAR) || ' < min 0' WHEN __t11 > 99999 THEN CAST(__t11 AS VARCHAR) || ' > max 99999' END) END
    ], x -> x IS NOT NULL),
    'record', json_object('c000_int', __c0, 'c001_int', __c1, 'c002_int', __c2, 'c003_float', __c3, 'c004_float', __c4, 'c005_float', __c5, 'c006_text', __c6, 'c007_category', __c7, 'c008_category', __c8, 'c009_category', __c9, 'c010_int', __c10, 'c011_int', __c11)::VARCHAR
  )::VARCHAR END AS __bad
FROM (
  SELECT
    *,
    CASE WHEN NOT __ok THEN CASE WHEN __r0 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t0 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t0 < 0 THEN 'INT_TYPE_SMALL_INT' WHEN __t0 > 99999 THEN 'INT_TYPE_BIG_INT' END END AS __e0,
    CASE WHEN NOT __ok THEN CASE WHEN __r1 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t1 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t1 < 0 THEN 'INT_TYPE_SMALL_INT' WHEN __t1 > 99999 THEN 'INT_TYPE_BIG_INT' END END AS __e1,
    CASE WHEN NOT __ok THEN CASE WHEN __r2 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t2 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t2 < 0 THEN 'INT_TYPE_SMALL_INT' WHEN __t2 > 99999 THEN 'INT_TYPE_BIG_INT' END END AS __e2,
    CASE WHEN NOT __ok THEN CASE WHEN __r3 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t3 IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan(__t3) OR isinf(__t3)) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan(__t3) AND __t3 < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan(__t3) AND __t3 > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS __e3,
    CASE WHEN NOT __ok THEN CASE WHEN __r4 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t4 IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan(__t4) OR isinf(__t4)) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan(__t4) AND __t4 < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan(__t4) AND __t4 > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS __e4,
    CASE WHEN NOT __ok THEN CASE WHEN __r5 IS NULL THEN '' WHEN __t5 IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan(__t5) OR isinf(__t5)) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan(__t5) AND __t5 < -10000) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan(__t5) AND __t5 > 10000) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS __e5,
    CASE WHEN NOT __ok THEN CASE WHEN __r6 IS NULL THEN '' END END AS __e6,
    CASE WHEN NOT __ok THEN CASE WHEN __r7 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t7) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e7,
    CASE WHEN NOT __ok THEN CASE WHEN __r8 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t8) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e8,
    CASE WHEN NOT __ok THEN CASE WHEN __r9 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t9) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e9,
    CASE WHEN NOT __ok THEN CASE WHEN __r10 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t10 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t10 < 0 THEN 'INT_TYPE_SMALL_INT' WHEN __t10 > 99999 THEN 'INT_TYPE_BIG_INT' END END AS __e10,
    CASE WHEN NOT __ok THEN CASE WHEN __r11 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN __t11 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t11 < 0 THEN 'INT_TYPE_SMALL_INT' WHEN __t11 > 99999 THEN 'INT_TYPE_BIG_INT' END END AS __e11
  FROM (
    SELECT
      *,
      (
        (__r0 IS NOT NULL AND __t0 IS NOT NULL AND NOT __t0 < 0 AND NOT __t0 > 99999)
        AND (__r1 IS NOT NULL AND __t1 IS NOT NULL AND NOT __t1 < 0 AND NOT __t1 > 99999)
        AND (__r2 IS NOT NULL AND __t2 IS NOT NULL AND NOT __t2 < 0 AND NOT __t2 > 99999)
        AND (__r3 IS NOT NULL AND __t3 IS NOT NULL AND NOT (isnan(__t3) OR isinf(__t3)) AND NOT (NOT isnan(__t3) AND __t3 < -10000) AND NOT (NOT isnan(__t3) AND __t3 > 10000))
        AND (__r4 IS NOT NULL AND __t4 IS NOT NULL AND NOT (isnan(__t4) OR isinf(__t4)) AND NOT (NOT isnan(__t4) AND __t4 < -10000) AND NOT (NOT isnan(__t4) AND __t4 > 10000))
        AND (__r5 IS NULL OR (__t5 IS NOT NULL AND NOT (isnan(__t5) OR isinf(__t5)) AND NOT (NOT isnan(__t5) AND __t5 < -10000) AND NOT (NOT isnan(__t5) AND __t5 > 10000)))
        AND (__r6 IS NULL OR (true))
        AND (__r7 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t7))
        AND (__r8 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t8))
        AND (__r9 IS NOT NULL AND list_contains(['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black', 'white'], __t9))
        AND (__r10 IS NOT NULL AND __t10 IS NOT NULL AND NOT __t10 < 0 AND NOT __t10 > 99999)
        AND (__r11 IS NOT NULL AND __t11 IS NOT NULL AND NOT __t11 < 0 AND NOT __t11 > 99999)
      ) AS __ok
    FROM (
      SELECT
        *,
        CASE WHEN TRY_CAST(__r0 AS BIGINT)::VARCHAR = __r0 THEN TRY_CAST(__r0 AS BIGINT) WHEN regexp_full_match(__r0, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r0 AS BIGINT) END AS __t0,
        CASE WHEN TRY_CAST(__r1 AS BIGINT)::VARCHAR = __r1 THEN TRY_CAST(__r1 AS BIGINT) WHEN regexp_full_match(__r1, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r1 AS BIGINT) END AS __t1,
        CASE WHEN TRY_CAST(__r2 AS BIGINT)::VARCHAR = __r2 THEN TRY_CAST(__r2 AS BIGINT) WHEN regexp_full_match(__r2, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r2 AS BIGINT) END AS __t2,
        TRY_CAST(__r3 AS DOUBLE) AS __t3,
        TRY_CAST(__r4 AS DOUBLE) AS __t4,
        TRY_CAST(__r5 AS DOUBLE) AS __t5,
        __r6 AS __t6,
        __r7 AS __t7,
        __r8 AS __t8,
        __r9 AS __t9,
        CASE WHEN TRY_CAST(__r10 AS BIGINT)::VARCHAR = __r10 THEN TRY_CAST(__r10 AS BIGINT) WHEN regexp_full_match(__r10, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r10 AS BIGINT) END AS __t10,
        CASE WHEN TRY_CAST(__r11 AS BIGINT)::VARCHAR = __r11 THEN TRY_CAST(__r11 AS BIGINT) WHEN regexp_full_match(__r11, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r11 AS BIGINT) END AS __t11
      FROM (
        SELECT
          *,
          __c0 AS __r0,
          __c1 AS __r1,
          __c2 AS __r2,
          __c3 AS __r3,
          __c4 AS __r4,
          __c5 AS __r5,
          __c6 AS __r6,
          __c7 AS __r7,
          __c8 AS __r8,
          __c9 AS __r9,
          __c10 AS __r10,
          __c11 AS __r11
        FROM read_csv(
          '/data/wide12.csv',
          header = true,
          auto_detect = false,
          columns = {'__c0': 'VARCHAR', '__c1': 'VARCHAR', '__c2': 'VARCHAR', '__c3': 'VARCHAR', '__c4': 'VARCHAR', '__c5': 'VARCHAR', '__c6': 'VARCHAR', '__c7': 'VARCHAR', '__c8': 'VARCHAR', '__c9': 'VARCHAR', '__c10': 'VARCHAR', '__c11': 'VARCHAR'},
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
