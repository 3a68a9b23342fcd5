-- aggregates of every record (valid rows counted apart)
SELECT
  count_if(__ok) AS n_ok,
  min(__x2) AS "beak_length_mm.min",
  max(__x2) AS "beak_length_mm.max",
  count(__x2) AS "beak_length_mm.finite",
  stddev_pop(__x2) AS "beak_length_mm.stddev",
  sum(__x2) AS "beak_length_mm.sum",
  sum(__x2 * __x2) AS "beak_length_mm.sumSquares",
  reservoir_quantile(__x2, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "beak_length_mm.quantiles",
  count_if(__x2 = 0) AS "beak_length_mm.zeros",
  count_if(NOT isfinite("beak_length_mm")) AS "beak_length_mm.nonFinite",
  min(__x3) AS "beak_depth_mm.min",
  max(__x3) AS "beak_depth_mm.max",
  count(__x3) AS "beak_depth_mm.finite",
  stddev_pop(__x3) AS "beak_depth_mm.stddev",
  sum(__x3) AS "beak_depth_mm.sum",
  sum(__x3 * __x3) AS "beak_depth_mm.sumSquares",
  reservoir_quantile(__x3, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "beak_depth_mm.quantiles",
  count_if(__x3 = 0) AS "beak_depth_mm.zeros",
  count_if(NOT isfinite("beak_depth_mm")) AS "beak_depth_mm.nonFinite",
  min("flipper_length_mm")::DOUBLE AS "flipper_length_mm.min",
  max("flipper_length_mm")::DOUBLE AS "flipper_length_mm.max",
  min("flipper_length_mm") AS "flipper_length_mm.intMin",
  max("flipper_length_mm") AS "flipper_length_mm.intMax",
  count("flipper_length_mm") AS "flipper_length_mm.finite",
  stddev_pop(__x4) AS "flipper_length_mm.stddev",
  sum(__x4) AS "flipper_length_mm.sum",
  sum(__x4 * __x4) AS "flipper_length_mm.sumSquares",
  reservoir_quantile(__x4, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "flipper_length_mm.quantiles",
  count_if("flipper_length_mm" = 0) AS "flipper_length_mm.zeros",
  0 AS "flipper_length_mm.nonFinite",
  min("body_mass_g")::DOUBLE AS "body_mass_g.min",
  max("body_mass_g")::DOUBLE AS "body_mass_g.max",
  min("body_mass_g") AS "body_mass_g.intMin",
  max("body_mass_g") AS "body_mass_g.intMax",
  count("body_mass_g") AS "body_mass_g.finite",
  stddev_pop(__x5) AS "body_mass_g.stddev",
  sum(__x5) AS "body_mass_g.sum",
  sum(__x5 * __x5) AS "body_mass_g.sumSquares",
  reservoir_quantile(__x5, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "body_mass_g.quantiles",
  count_if("body_mass_g" = 0) AS "body_mass_g.zeros",
  0 AS "body_mass_g.nonFinite"
FROM (
  SELECT
    *,
    CASE WHEN isfinite("beak_length_mm") THEN "beak_length_mm" END AS __x2,
    CASE WHEN isfinite("beak_depth_mm") THEN "beak_depth_mm" END AS __x3,
    "flipper_length_mm"::DOUBLE AS __x4,
    "body_mass_g"::DOUBLE AS __x5
  FROM staged
  WHERE (__ok IS NOT NULL AND NOT __bad_record)
) AS records;

-- rejected rows
SELECT
  count(*) AS n,
  count(*) FILTER (WHERE __bad_record) AS n_bad_record
FROM staged
WHERE NOT __ok;

-- error codes of rejected rows
SELECT
  f,
  e,
  count(*) AS n
FROM (
  SELECT
    unnest(range(len(json_extract_string(__bad, '$.errors[*]')))) AS f,
    unnest(json_extract_string(__bad, '$.errors[*]')) AS e
  FROM staged
  WHERE NOT __ok
    AND NOT __bad_record
) AS codes
WHERE e IS NOT NULL
GROUP BY f, e;

-- histograms
SELECT
  2 AS f,
  floor((CASE WHEN isfinite("beak_length_mm") THEN "beak_length_mm" END - 0) / 10) AS b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND isfinite("beak_length_mm")
GROUP BY b
UNION ALL
SELECT
  3 AS f,
  floor((CASE WHEN isfinite("beak_depth_mm") THEN "beak_depth_mm" END - 0) / 10) AS b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND isfinite("beak_depth_mm")
GROUP BY b
UNION ALL
SELECT
  4 AS f,
  ("flipper_length_mm" - 0) * 10 // 100 AS b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND "flipper_length_mm" IS NOT NULL
GROUP BY b
UNION ALL
SELECT
  5 AS f,
  ("body_mass_g" - 0) * 10 // 100 AS b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND "body_mass_g" IS NOT NULL
GROUP BY b;

-- top values
SELECT
  f,
  v,
  c,
  n,
  len
FROM (
  SELECT
    f,
    v,
    count(*) AS c,
    row_number() OVER (PARTITION BY f ORDER BY count(*) DESC, v) AS rk,
    count(*) OVER (PARTITION BY f) AS n,
    sum(length(v) * count(*)) OVER (PARTITION BY f) / sum(count(*)) OVER (PARTITION BY f) AS len
  FROM (
    SELECT
      0 AS f,
      "species"::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND "species" IS NOT NULL
    UNION ALL
    SELECT
      1 AS f,
      "island"::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND "island" IS NOT NULL
    UNION ALL
    SELECT
      6 AS f,
      "sex"::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND "sex" IS NOT NULL
  ) AS cat
  GROUP BY f, v
) AS ranked
WHERE rk <= 50
ORDER BY f, rk;
