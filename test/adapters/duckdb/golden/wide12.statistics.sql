-- aggregates of every record (valid rows counted apart)
SELECT
  count_if(__ok) AS n_ok,
  min(__t0)::DOUBLE AS "c000_int.min",
  max(__t0)::DOUBLE AS "c000_int.max",
  min(__t0) AS "c000_int.intMin",
  max(__t0) AS "c000_int.intMax",
  count(__t0) AS "c000_int.finite",
  stddev_pop(__x0) AS "c000_int.stddev",
  sum(__x0) AS "c000_int.sum",
  sum(__x0 * __x0) AS "c000_int.sumSquares",
  reservoir_quantile(__x0, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c000_int.quantiles",
  count_if(__t0 = 0) AS "c000_int.zeros",
  0 AS "c000_int.nonFinite",
  min(__t1)::DOUBLE AS "c001_int.min",
  max(__t1)::DOUBLE AS "c001_int.max",
  min(__t1) AS "c001_int.intMin",
  max(__t1) AS "c001_int.intMax",
  count(__t1) AS "c001_int.finite",
  stddev_pop(__x1) AS "c001_int.stddev",
  sum(__x1) AS "c001_int.sum",
  sum(__x1 * __x1) AS "c001_int.sumSquares",
  reservoir_quantile(__x1, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c001_int.quantiles",
  count_if(__t1 = 0) AS "c001_int.zeros",
  0 AS "c001_int.nonFinite",
  min(__t2)::DOUBLE AS "c002_int.min",
  max(__t2)::DOUBLE AS "c002_int.max",
  min(__t2) AS "c002_int.intMin",
  max(__t2) AS "c002_int.intMax",
  count(__t2) AS "c002_int.finite",
  stddev_pop(__x2) AS "c002_int.stddev",
  sum(__x2) AS "c002_int.sum",
  sum(__x2 * __x2) AS "c002_int.sumSquares",
  reservoir_quantile(__x2, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c002_int.quantiles",
  count_if(__t2 = 0) AS "c002_int.zeros",
  0 AS "c002_int.nonFinite",
  min(__x3) AS "c003_float.min",
  max(__x3) AS "c003_float.max",
  count(__x3) AS "c003_float.finite",
  stddev_pop(__x3) AS "c003_float.stddev",
  sum(__x3) AS "c003_float.sum",
  sum(__x3 * __x3) AS "c003_float.sumSquares",
  reservoir_quantile(__x3, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c003_float.quantiles",
  count_if(__x3 = 0) AS "c003_float.zeros",
  count_if(NOT isfinite(__t3)) AS "c003_float.nonFinite",
  min(__x4) AS "c004_float.min",
  max(__x4) AS "c004_float.max",
  count(__x4) AS "c004_float.finite",
  stddev_pop(__x4) AS "c004_float.stddev",
  sum(__x4) AS "c004_float.sum",
  sum(__x4 * __x4) AS "c004_float.sumSquares",
  reservoir_quantile(__x4, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c004_float.quantiles",
  count_if(__x4 = 0) AS "c004_float.zeros",
  count_if(NOT isfinite(__t4)) AS "c004_float.nonFinite",
  min(__x5) AS "c005_float.min",
  max(__x5) AS "c005_float.max",
  count(__x5) AS "c005_float.finite",
  stddev_pop(__x5) AS "c005_float.stddev",
  sum(__x5) AS "c005_float.sum",
  sum(__x5 * __x5) AS "c005_float.sumSquares",
  reservoir_quantile(__x5, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c005_float.quantiles",
  count_if(__x5 = 0) AS "c005_float.zeros",
  count_if(NOT isfinite(__t5)) AS "c005_float.nonFinite",
  min(__t10)::DOUBLE AS "c010_int.min",
  max(__t10)::DOUBLE AS "c010_int.max",
  min(__t10) AS "c010_int.intMin",
  max(__t10) AS "c010_int.intMax",
  count(__t10) AS "c010_int.finite",
  stddev_pop(__x10) AS "c010_int.stddev",
  sum(__x10) AS "c010_int.sum",
  sum(__x10 * __x10) AS "c010_int.sumSquares",
  reservoir_quantile(__x10, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c010_int.quantiles",
  count_if(__t10 = 0) AS "c010_int.zeros",
  0 AS "c010_int.nonFinite",
  min(__t11)::DOUBLE AS "c011_int.min",
  max(__t11)::DOUBLE AS "c011_int.max",
  min(__t11) AS "c011_int.intMin",
  max(__t11) AS "c011_int.intMax",
  count(__t11) AS "c011_int.finite",
  stddev_pop(__x11) AS "c011_int.stddev",
  sum(__x11) AS "c011_int.sum",
  sum(__x11 * __x11) AS "c011_int.sumSquares",
  reservoir_quantile(__x11, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 8192) AS "c011_int.quantiles",
  count_if(__t11 = 0) AS "c011_int.zeros",
  0 AS "c011_int.nonFinite"
FROM (
  SELECT
    *,
    __t0::DOUBLE AS __x0,
    __t1::DOUBLE AS __x1,
    __t2::DOUBLE AS __x2,
    CASE WHEN isfinite(__t3) THEN __t3 END AS __x3,
    CASE WHEN isfinite(__t4) THEN __t4 END AS __x4,
    CASE WHEN isfinite(__t5) THEN __t5 END AS __x5,
    __t10::DOUBLE AS __x10,
    __t11::DOUBLE AS __x11
  FROM staged
  WHERE (__ok IS NOT NULL AND NOT false)
) AS records;

-- rejected rows
SELECT
  count(*) AS n,
  count(*) FILTER (WHERE false) AS n_bad_record
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
    AND NOT false
) AS codes
WHERE e IS NOT NULL
GROUP BY f, e;

-- histograms
SELECT
  [count_if(__b0 = 0), count_if(__b0 = 1), count_if(__b0 = 2), count_if(__b0 = 3), count_if(__b0 = 4), count_if(__b0 = 5), count_if(__b0 = 6), count_if(__b0 = 7), count_if(__b0 = 8), count_if(__b0 >= 9)] AS "c000_int.histogram",
  [count_if(__b1 = 0), count_if(__b1 = 1), count_if(__b1 = 2), count_if(__b1 = 3), count_if(__b1 = 4), count_if(__b1 = 5), count_if(__b1 = 6), count_if(__b1 = 7), count_if(__b1 = 8), count_if(__b1 >= 9)] AS "c001_int.histogram",
  [count_if(__b2 = 0), count_if(__b2 = 1), count_if(__b2 = 2), count_if(__b2 = 3), count_if(__b2 = 4), count_if(__b2 = 5), count_if(__b2 = 6), count_if(__b2 = 7), count_if(__b2 = 8), count_if(__b2 >= 9)] AS "c002_int.histogram",
  [count_if(__b3 = 0), count_if(__b3 = 1), count_if(__b3 = 2), count_if(__b3 = 3), count_if(__b3 = 4), count_if(__b3 = 5), count_if(__b3 = 6), count_if(__b3 = 7), count_if(__b3 = 8), count_if(__b3 >= 9)] AS "c003_float.histogram",
  [count_if(__b4 = 0), count_if(__b4 = 1), count_if(__b4 = 2), count_if(__b4 = 3), count_if(__b4 = 4), count_if(__b4 = 5), count_if(__b4 = 6), count_if(__b4 = 7), count_if(__b4 = 8), count_if(__b4 >= 9)] AS "c004_float.histogram",
  [count_if(__b5 = 0), count_if(__b5 = 1), count_if(__b5 = 2), count_if(__b5 = 3), count_if(__b5 = 4), count_if(__b5 = 5), count_if(__b5 = 6), count_if(__b5 = 7), count_if(__b5 = 8), count_if(__b5 >= 9)] AS "c005_float.histogram",
  [count_if(__b10 = 0), count_if(__b10 = 1), count_if(__b10 = 2), count_if(__b10 = 3), count_if(__b10 = 4), count_if(__b10 = 5), count_if(__b10 = 6), count_if(__b10 = 7), count_if(__b10 = 8), count_if(__b10 >= 9)] AS "c010_int.histogram",
  [count_if(__b11 = 0), count_if(__b11 = 1), count_if(__b11 = 2), count_if(__b11 = 3), count_if(__b11 = 4), count_if(__b11 = 5), count_if(__b11 = 6), count_if(__b11 = 7), count_if(__b11 = 8), count_if(__b11 >= 9)] AS "c011_int.histogram"
FROM (
  SELECT
    (__t0 - 0) * 10 // 100 AS __b0,
    (__t1 - 0) * 10 // 100 AS __b1,
    (__t2 - 0) * 10 // 100 AS __b2,
    floor((CASE WHEN isfinite(__t3) THEN __t3 END - 0) / 10) AS __b3,
    floor((CASE WHEN isfinite(__t4) THEN __t4 END - 0) / 10) AS __b4,
    floor((CASE WHEN isfinite(__t5) THEN __t5 END - 0) / 10) AS __b5,
    (__t10 - 0) * 10 // 100 AS __b10,
    (__t11 - 0) * 10 // 100 AS __b11
  FROM staged
  WHERE (__ok IS NOT NULL AND NOT false)
) AS buckets;

-- top values
SELECT
  f,
  count(*) AS n,
  sum(length(v) * c) / sum(c) AS len,
  min_by({'v': v, 'c': c}, {'nc': -c, 'v': v}, 50) AS top
FROM (
  SELECT
    f,
    v,
    count(*) AS c
  FROM (
    SELECT
      f::INTEGER AS f,
      v
    FROM (UNPIVOT (
      SELECT
        __t6::VARCHAR AS "6",
        __t7::VARCHAR AS "7",
        __t8::VARCHAR AS "8",
        __t9::VARCHAR AS "9"
      FROM staged
      WHERE (__ok IS NOT NULL AND NOT false)
    )
    ON "6", "7", "8", "9"
    INTO NAME f VALUE v)
  ) AS cat
  GROUP BY f, v
) AS counted
GROUP BY f;
