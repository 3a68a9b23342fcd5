SELECT
  "_split" AS "split",
  count(*) AS "rows",
  min(rowid) AS "first",
  max(rowid) AS "last"
FROM "_lakeline_export"
GROUP BY 1
