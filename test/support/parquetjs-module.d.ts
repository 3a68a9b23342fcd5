// parquetjs 0.11 ships no types; the tests use it only as an independent footer/schema reader.
declare module "parquetjs" {
  interface ParquetField {
    primitiveType?: string;
    originalType?: string;
    fields?: Record<string, ParquetField>;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    getSchema(): { fields: Record<string, ParquetField> };
    getRowCount(): number;
    getCursor(): { next(): Promise<Record<string, unknown> | null> };
    close(): Promise<void>;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, { type: string; optional?: boolean; compression?: string }>);
  }
  export class ParquetWriter {
    static openFile(
      schema: ParquetSchema,
      path: string,
      options?: Record<string, unknown>,
    ): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setRowGroupSize(n: number): void;
    close(): Promise<void>;
  }
  const parquet: {
    ParquetReader: typeof ParquetReader;
    ParquetSchema: typeof ParquetSchema;
    ParquetWriter: typeof ParquetWriter;
  };
  export default parquet;
}
