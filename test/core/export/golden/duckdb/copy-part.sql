COPY (
  SELECT
    __c0 AS "species",
    __c1 AS "island"
  FROM "_lakeline_export"
  WHERE rowid >= 1000000
    AND rowid < 2000000
  ORDER BY rowid
) TO '/scratch/data/train/part-1.parquet' (FORMAT parquet, COMPRESSION snappy)
