-- Staging: every row typed and checked in one pass
SELECT
  __t0,
  __t1,
  __t2,
  __t3,
  __t4,
  __t5,
  __t6,
  __ok,
  CASE WHEN NOT __ok THEN json_object(
    'errors', [__e0, __e1, __e2, __e3, __e4, __e5, __e6],
    'reasons', CASE WHEN coalesce(__malformed, false) THEN ['RECORD_MALFORMED line #: not a JSON object: ' || coalesce(to_json(left(__j, 60))::VARCHAR, 'null')] ELSE list_filter([
      CASE WHEN __e0 <> '' THEN __e0 || ' ' || 'Species' || ': ' || (CASE WHEN __r0 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['Adelie', 'Chinstrap', 'Gentoo'], __t0) THEN to_json(__t0)::VARCHAR || ' not in [Adelie, Chinstrap, Gentoo]' END) END,
      CASE WHEN __e1 <> '' THEN __e1 || ' ' || 'Island' || ': ' || (CASE WHEN __r1 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['Biscoe', 'Dream', 'Torgersen'], __t1) THEN to_json(__t1)::VARCHAR || ' not in [Biscoe, Dream, Torgersen]' END) END,
      CASE WHEN __e2 <> '' THEN __e2 || ' ' || 'Beak Length (mm)' || ': ' || (CASE WHEN __r2 IS NULL THEN 'required value is missing' WHEN __t2 IS NULL THEN to_json(CASE WHEN length(__r2) > 60 THEN left(__r2, 60) || '…' ELSE __r2 END)::VARCHAR || ' is not FLOAT' WHEN (isnan(__t2) OR isinf(__t2)) THEN 'NaN or infinite value' WHEN (NOT isnan(__t2) AND __t2 < 25) THEN CAST(__t2 AS VARCHAR) || ' < min 25' WHEN (NOT isnan(__t2) AND __t2 > 70) THEN CAST(__t2 AS VARCHAR) || ' > max 70' END) END,
      CASE WHEN __e3 <> '' THEN __e3 || ' ' || 'Beak Depth (mm)' || ': ' || (CASE WHEN __r3 IS NULL THEN 'required value is missing' WHEN __t3 IS NULL THEN to_json(CASE WHEN length(__r3) > 60 THEN left(__r3, 60) || '…' ELSE __r3 END)::VARCHAR || ' is not FLOAT' WHEN (isnan(__t3) OR isinf(__t3)) THEN 'NaN or infinite value' WHEN (NOT isnan(__t3) AND __t3 < 10) THEN CAST(__t3 AS VARCHAR) || ' < min 10' WHEN (NOT isnan(__t3) AND __t3 > 25) THEN CAST(__t3 AS VARCHAR) || ' > max 25' END) END,
      CASE WHEN __e4 <> '' THEN __e4 || ' ' || 'Flipper Length (mm)' || ': ' || (CASE WHEN __r4 IS NULL THEN 'required value is missing' WHEN __t4 IS NULL THEN to_json(CASE WHEN length(__r4) > 60 THEN left(__r4, 60) || '…' ELSE __r4 END)::VARCHAR || ' is not INT' WHEN __t4 < 150 THEN CAST(__t4 AS VARCHAR) || ' < min 150' WHEN __t4 > 250 THEN CAST(__t4 AS VARCHAR) || ' > max 250' END) END,
      CASE WHEN __e5 <> '' THEN __e5 || ' ' || 'Body Mass (g)' || ': ' || (CASE WHEN __r5 IS NULL THEN 'required value is missing' WHEN __t5 IS NULL THEN to_json(CASE WHEN length(__r5) > 60 THEN left(__r5, 60) || '…' ELSE __r5 END)::VARCHAR || ' is not INT' WHEN __t5 < 2000 THEN CAST(__t5 AS VARCHAR) || ' < min 2000' WHEN __t5 > 7000 THEN CAST(__t5 AS VARCHAR) || ' > max 7000' END) END,
      CASE WHEN __e6 <> '' THEN __e6 || ' ' || 'Sex' || ': ' || (CASE WHEN __r6 IS NULL THEN 'required value is missing' WHEN NOT list_contains(['MALE', 'FEMALE'], __t6) THEN to_json(__t6)::VARCHAR || ' not in [MALE, FEMALE]' END) END
    ], x -> x IS NOT NULL) END,
    'record', __j
  )::VARCHAR END AS __bad,
  coalesce(__malformed, false) AS __bad_record
FROM (
  SELECT
    *,
    CASE WHEN NOT __ok THEN CASE WHEN __r0 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['Adelie', 'Chinstrap', 'Gentoo'], __t0) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e0,
    CASE WHEN NOT __ok THEN CASE WHEN __r1 IS NULL THEN 'FEATURE_TYPE_NOT_PRESENT' WHEN NOT list_contains(['Biscoe', 'Dream', 'Torgersen'], __t1) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e1,
    CASE WHEN NOT __ok THEN CASE WHEN __r2 IS NULL THEN '' WHEN __t2 IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan(__t2) OR isinf(__t2)) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan(__t2) AND __t2 < 25) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan(__t2) AND __t2 > 70) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS __e2,
    CASE WHEN NOT __ok THEN CASE WHEN __r3 IS NULL THEN '' WHEN __t3 IS NULL THEN 'FLOAT_TYPE_NOT_FLOAT_STRING' WHEN (isnan(__t3) OR isinf(__t3)) THEN 'FLOAT_TYPE_HAS_NAN' WHEN (NOT isnan(__t3) AND __t3 < 10) THEN 'FLOAT_TYPE_SMALL_FLOAT' WHEN (NOT isnan(__t3) AND __t3 > 25) THEN 'FLOAT_TYPE_BIG_FLOAT' END END AS __e3,
    CASE WHEN NOT __ok THEN CASE WHEN __r4 IS NULL THEN '' WHEN __t4 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t4 < 150 THEN 'INT_TYPE_SMALL_INT' WHEN __t4 > 250 THEN 'INT_TYPE_BIG_INT' END END AS __e4,
    CASE WHEN NOT __ok THEN CASE WHEN __r5 IS NULL THEN '' WHEN __t5 IS NULL THEN 'INT_TYPE_NOT_INT_STRING' WHEN __t5 < 2000 THEN 'INT_TYPE_SMALL_INT' WHEN __t5 > 7000 THEN 'INT_TYPE_BIG_INT' END END AS __e5,
    CASE WHEN NOT __ok THEN CASE WHEN __r6 IS NULL THEN '' WHEN NOT list_contains(['MALE', 'FEMALE'], __t6) THEN 'ENUM_TYPE_UNEXPECTED_STRING_VALUES' END END AS __e6
  FROM (
    SELECT
      *,
      CASE WHEN __blank THEN NULL ELSE (
        (__r0 IS NOT NULL AND list_contains(['Adelie', 'Chinstrap', 'Gentoo'], __t0))
        AND (__r1 IS NOT NULL AND list_contains(['Biscoe', 'Dream', 'Torgersen'], __t1))
        AND (__r2 IS NULL OR (__t2 IS NOT NULL AND NOT (isnan(__t2) OR isinf(__t2)) AND NOT (NOT isnan(__t2) AND __t2 < 25) AND NOT (NOT isnan(__t2) AND __t2 > 70)))
        AND (__r3 IS NULL OR (__t3 IS NOT NULL AND NOT (isnan(__t3) OR isinf(__t3)) AND NOT (NOT isnan(__t3) AND __t3 < 10) AND NOT (NOT isnan(__t3) AND __t3 > 25)))
        AND (__r4 IS NULL OR (__t4 IS NOT NULL AND NOT __t4 < 150 AND NOT __t4 > 250))
        AND (__r5 IS NULL OR (__t5 IS NOT NULL AND NOT __t5 < 2000 AND NOT __t5 > 7000))
        AND (__r6 IS NULL OR (list_contains(['MALE', 'FEMALE'], __t6)))
        AND NOT coalesce(__malformed, false)
      ) END AS __ok
    FROM (
      SELECT
        *,
        __r0 AS __t0,
        __r1 AS __t1,
        TRY_CAST(__r2 AS DOUBLE) AS __t2,
        TRY_CAST(__r3 AS DOUBLE) AS __t3,
        CASE WHEN TRY_CAST(__r4 AS BIGINT)::VARCHAR = __r4 THEN TRY_CAST(__r4 AS BIGINT) WHEN regexp_full_match(__r4, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r4 AS BIGINT) END AS __t4,
        CASE WHEN TRY_CAST(__r5 AS BIGINT)::VARCHAR = __r5 THEN TRY_CAST(__r5 AS BIGINT) WHEN regexp_full_match(__r5, '\s*[+-]?[0-9]+\s*') THEN TRY_CAST(__r5 AS BIGINT) END AS __t5,
        __r6 AS __t6
      FROM (
        SELECT
          *,
          __vals[1] AS __r0,
          __vals[2] AS __r1,
          __vals[3] AS __r2,
          __vals[4] AS __r3,
          __vals[5] AS __r4,
          __vals[6] AS __r5,
          __vals[7] AS __r6
        FROM (
          SELECT
            *,
            __vals IS NULL AS __malformed
          FROM (
            SELECT
              *,
              CASE WHEN starts_with(__j, '{') THEN try(json_extract_string(__j, ['/Species', '/Island', '/Beak Length (mm)', '/Beak Depth (mm)', '/Flipper Length (mm)', '/Body Mass (g)', '/Sex'])) WHEN (CASE WHEN json_valid(__j) THEN json_type(__j) = 'OBJECT' ELSE false END) THEN json_extract_string(__j, ['/Species', '/Island', '/Beak Length (mm)', '/Beak Depth (mm)', '/Flipper Length (mm)', '/Body Mass (g)', '/Sex']) END AS __vals
            FROM (
              SELECT
                __j,
                CASE WHEN __j IS NULL THEN true WHEN starts_with(__j, '{') THEN false ELSE trim(__j) = '' END AS __blank
              FROM read_csv(
                '/data/penguins.jsonl',
                columns = {'__j': 'VARCHAR'},
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
