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
  count_if(NOT isfinite(__t2)) AS "beak_length_mm.nonFinite",
  min(__x3) AS "beak_depth_mm.min",
  max(__x3) AS "beak_depth_mm.max",
  count(__x3) AS "beak_depth_mm.finite",
  stddev_pop(__x3) AS "beak_depth_mm.stddev",
  sum(__x3) AS "beak_depth_mm.sum",
  sum(__x3 * __x3) AS "beak_depth_mm.sumSquares",
  reservoir_quantile(__x3, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "beak_depth_mm.quantiles",
  count_if(__x3 = 0) AS "beak_depth_mm.zeros",
  count_if(NOT isfinite(__t3)) AS "beak_depth_mm.nonFinite",
  min(__t4)::DOUBLE AS "flipper_length_mm.min",
  max(__t4)::DOUBLE AS "flipper_length_mm.max",
  min(__t4) AS "flipper_length_mm.intMin",
  max(__t4) AS "flipper_length_mm.intMax",
  count(__t4) AS "flipper_length_mm.finite",
  stddev_pop(__x4) AS "flipper_length_mm.stddev",
  sum(__x4) AS "flipper_length_mm.sum",
  sum(__x4 * __x4) AS "flipper_length_mm.sumSquares",
  reservoir_quantile(__x4, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "flipper_length_mm.quantiles",
  count_if(__t4 = 0) AS "flipper_length_mm.zeros",
  0 AS "flipper_length_mm.nonFinite",
  min(__t5)::DOUBLE AS "body_mass_g.min",
  max(__t5)::DOUBLE AS "body_mass_g.max",
  min(__t5) AS "body_mass_g.intMin",
  max(__t5) AS "body_mass_g.intMax",
  count(__t5) AS "body_mass_g.finite",
  stddev_pop(__x5) AS "body_mass_g.stddev",
  sum(__x5) AS "body_mass_g.sum",
  sum(__x5 * __x5) AS "body_mass_g.sumSquares",
  reservoir_quantile(__x5, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "body_mass_g.quantiles",
  count_if(__t5 = 0) AS "body_mass_g.zeros",
  0 AS "body_mass_g.nonFinite"
FROM (
  SELECT
    *,
    CASE WHEN isfinite(__t2) THEN __t2 END AS __x2,
    CASE WHEN isfinite(__t3) THEN __t3 END AS __x3,
    __t4::DOUBLE AS __x4,
    __t5::DOUBLE AS __x5
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
  floor((CASE WHEN isfinite(__t2) THEN __t2 END - 0) / 10) AS __b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND isfinite(__t2)
GROUP BY __b
UNION ALL
SELECT
  3 AS f,
  floor((CASE WHEN isfinite(__t3) THEN __t3 END - 0) / 10) AS __b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND isfinite(__t3)
GROUP BY __b
UNION ALL
SELECT
  4 AS f,
  (__t4 - 0) * 10 // 100 AS __b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND __t4 IS NOT NULL
GROUP BY __b
UNION ALL
SELECT
  5 AS f,
  (__t5 - 0) * 10 // 100 AS __b,
  count(*) AS n
FROM staged
WHERE (__ok IS NOT NULL AND NOT __bad_record)
  AND __t5 IS NOT NULL
GROUP BY __b;

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
      __t0::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND __t0 IS NOT NULL
    UNION ALL
    SELECT
      1 AS f,
      __t1::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND __t1 IS NOT NULL
    UNION ALL
    SELECT
      6 AS f,
      __t6::VARCHAR AS v
    FROM staged
    WHERE (__ok IS NOT NULL AND NOT __bad_record)
      AND __t6 IS NOT NULL
  ) AS cat
  GROUP BY f, v
) AS ranked
WHERE rk <= 50
ORDER BY f, rk;
