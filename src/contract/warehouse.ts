/**
 * The warehouse tables as the catalog (infra's Glue tables) and the pipeline (its Parquet) must both
 * see them: derived in core from the schema versions, published here for infra.
 */
export {
  glueType,
  PARTITION_KEYS,
  QUARANTINE_COLUMNS,
  type TableColumn,
  warehouseTable,
} from "../core/warehouse/table.js";
