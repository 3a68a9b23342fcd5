import { Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT_STAGING_EXPIRATION_DAYS, EXPORT_STAGING_PREFIX } from "../../src/contract/export-keys.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import {
  glueType,
  QUARANTINE_COLUMNS,
  type TableColumn,
  warehouseTable,
} from "../../src/core/warehouse/table.js";
import { flatten, resourcesOf, SCHEMAS, type Synthesized, synthLakeline } from "./synth.js";

// Templates only: the functions are not bundled here (pipeline-stack.test.ts bundles them).
let synth: Synthesized;
beforeAll(() => {
  synth = synthLakeline({ bundle: false });
});
afterAll(() => synth?.cleanup());

const registry = new SchemaRegistry(SCHEMAS);
const datasets = registry.datasets();

const glueColumns = (columns: readonly TableColumn[]) =>
  columns.map((c) => ({ name: c.name, type: glueType(c.type) }));

interface TableInput {
  Name: string;
  Parameters: Record<string, unknown>;
  PartitionKeys?: { Name: string; Type: string }[];
  StorageDescriptor: {
    Location: unknown;
    Columns: { Name: string; Type: string }[];
    SerdeInfo: { SerializationLibrary: string };
    InputFormat: string;
    OutputFormat: string;
    Parameters?: Record<string, unknown>;
  };
}

function tableNamed(name: string): TableInput {
  const tables = Object.values(resourcesOf(synth.dataTemplate, "AWS::Glue::Table")).map(
    (r) => r.Properties.TableInput as TableInput,
  );
  const table = tables.find((t) => t.Name === name);
  if (!table) throw new Error(`no Glue table ${name} (have ${tables.map((t) => t.Name).join(", ")})`);
  return table;
}

describe("Glue catalog generated from schemas/", () => {
  it("has per dataset a table, a quarantine table, a marker-lines table, runs, committed and history views, plus the lineage table", () => {
    const names = Object.values(resourcesOf(synth.dataTemplate, "AWS::Glue::Table"))
      .map((r) => (r.Properties.TableInput as TableInput).Name)
      .sort();
    expect(datasets.length).toBeGreaterThanOrEqual(4);
    expect(names).toEqual(
      [
        ...datasets,
        ...datasets.map((d) => `${d}_quarantine`),
        ...datasets.map((d) => `${d}_runs`),
        ...datasets.map((d) => `${d}_runs_lines`),
        ...datasets.map((d) => `${d}_committed`),
        ...datasets.map((d) => `${d}_history`),
        "lineage_events",
      ].sort(),
    );
  });

  it.each(datasets)(
    "%s_committed: an Athena view of the rows whose run has an ok commit marker and is its source blob's latest processing, with the table's columns",
    (dataset) => {
      // Prepare
      const expected = warehouseTable(registry.loadAll(dataset).map((l) => l.schema));
      const lines = tableNamed(`${dataset}_runs_lines`);
      // Act
      const view = tableNamed(`${dataset}_committed`) as TableInput & {
        TableType: string;
        ViewOriginalText: string;
      };
      const encoded = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(view.ViewOriginalText)?.[1];
      const presto = JSON.parse(Buffer.from(encoded ?? "", "base64").toString("utf8")) as {
        originalSql: string;
        columns: { name: string; type: string }[];
      };
      // Assess
      expect(view.TableType).toBe("VIRTUAL_VIEW");
      expect(view.Parameters).toMatchObject({ presto_view: "true" });
      expect(presto.originalSql).toContain(`FROM "lakeline"."${dataset}" t WHERE t."_run_id" IN`);
      expect(presto.originalSql).toContain(`"lakeline"."${dataset}_runs" r WHERE "status" = 'ok'`);
      expect(presto.originalSql).toContain(`row_number() OVER (PARTITION BY upper("environment")`);
      expect(presto.columns.map((c) => c.name)).toEqual([
        ...expected.columns.map((c) => c.name),
        "ingest_date",
      ]);
      expect(flatten(lines.StorageDescriptor.Location)).toMatch(new RegExp(`/_runs/${dataset}/$`));
      expect(lines.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
      );
      const history = tableNamed(`${dataset}_history`) as TableInput & { ViewOriginalText: string };
      const historySql = JSON.parse(
        Buffer.from(/Presto View: (\S+) /.exec(history.ViewOriginalText)![1]!, "base64").toString("utf8"),
      ) as { originalSql: string; columns: { name: string }[] };
      expect(historySql.originalSql).toContain(`"lakeline"."${dataset}_runs" WHERE "status" = 'ok'`);
      expect(historySql.columns.map((c) => c.name)).toEqual(presto.columns.map((c) => c.name));
    },
  );

  it.each(datasets)(
    "%s: columns equal warehouseTable() of every schema version, partitioned by ingest_date",
    (dataset) => {
      // Prepare
      const expected = warehouseTable(registry.loadAll(dataset).map((l) => l.schema));
      // Act
      const table = tableNamed(dataset);
      // Assess
      expect(table.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type }))).toEqual(
        glueColumns(expected.columns),
      );
      expect(table.PartitionKeys).toEqual([
        { Name: "ingest_date", Type: "date", Comment: "UTC date of ingestion" },
      ]);
      expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
      );
      expect(table.StorageDescriptor.InputFormat).toBe(
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
      );
      expect(table.StorageDescriptor.OutputFormat).toBe(
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
      );
      expect(flatten(table.StorageDescriptor.Location)).toMatch(
        new RegExp(`^s3://<WarehouseBucket[0-9A-F]+>/${dataset}/$`),
      );
    },
  );

  it.each(datasets)(
    "%s: partition projection sits in the TABLE parameters, not the storage descriptor",
    (dataset) => {
      for (const [name, bucket] of [
        [dataset, "Warehouse"],
        [`${dataset}_quarantine`, "Quarantine"],
      ] as const) {
        const table = tableNamed(name);
        expect(table.Parameters).toMatchObject({
          "projection.enabled": "true",
          "projection.ingest_date.type": "date",
          "projection.ingest_date.format": "yyyy-MM-dd",
          "projection.ingest_date.range": "2020-01-01,NOW",
          "projection.ingest_date.interval": "1",
          "projection.ingest_date.interval.unit": "DAYS",
        });
        expect(flatten(table.Parameters["storage.location.template"])).toMatch(
          new RegExp(`^s3://<${bucket}Bucket[0-9A-F]+>/${dataset}/ingest_date=\\$\\{ingest_date\\}/$`),
        );
        expect(JSON.stringify(table.StorageDescriptor.Parameters ?? {})).not.toContain("projection");
      }
    },
  );

  it.each(datasets)("%s_quarantine: columns are QUARANTINE_COLUMNS over the quarantine bucket", (dataset) => {
    const table = tableNamed(`${dataset}_quarantine`);
    expect(table.StorageDescriptor.Columns.map((c) => ({ name: c.Name, type: c.Type }))).toEqual(
      glueColumns(QUARANTINE_COLUMNS),
    );
    expect(flatten(table.StorageDescriptor.Location)).toMatch(
      new RegExp(`^s3://<QuarantineBucket[0-9A-F]+>/${dataset}/$`),
    );
  });

  it("reads OpenLineage events with the OpenX JSON SerDe under openlineage/", () => {
    const table = tableNamed("lineage_events");
    expect(table.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe("org.openx.data.jsonserde.JsonSerDe");
    expect(flatten(table.StorageDescriptor.Location)).toMatch(
      /^s3:\/\/<LineageBucket[0-9A-F]+>\/openlineage\/$/,
    );
    expect(table.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(
      expect.arrayContaining(["eventtype", "eventtime", "run", "job", "inputs", "outputs"]),
    );
  });

  it("names the database from the config", () => {
    synth.dataTemplate.hasResourceProperties("AWS::Glue::Database", {
      DatabaseInput: Match.objectLike({ Name: synth.config.glueDatabaseName }),
    });
  });
});

describe("Athena workgroup", () => {
  it("enforces its configuration, encrypts results, caps scans and runs engine v3", () => {
    synth.dataTemplate.hasResourceProperties("AWS::Athena::WorkGroup", {
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: synth.config.athena.bytesScannedCutoffPerQuery,
        EngineVersion: { SelectedEngineVersion: "Athena engine version 3" },
        ResultConfiguration: {
          OutputLocation: Match.anyValue(),
          EncryptionConfiguration: { EncryptionOption: "SSE_S3" },
        },
        PublishCloudWatchMetricsEnabled: true,
      },
    });
    const [wg] = Object.values(resourcesOf(synth.dataTemplate, "AWS::Athena::WorkGroup"));
    const output = (
      wg!.Properties.WorkGroupConfiguration as { ResultConfiguration: { OutputLocation: unknown } }
    ).ResultConfiguration.OutputLocation;
    expect(flatten(output)).toMatch(/^s3:\/\/<AthenaResultsBucket[0-9A-F]+>\/athena\/$/);
  });
});

describe("buckets", () => {
  const buckets = () => resourcesOf(synth.dataTemplate, "AWS::S3::Bucket");

  it("are eight, none with a physical name", () => {
    expect(Object.keys(buckets())).toHaveLength(8);
    for (const b of Object.values(buckets())) expect(b.Properties.BucketName).toBeUndefined();
  });

  it("block public access, encrypt at rest, abort stale multipart uploads", () => {
    for (const [id, b] of Object.entries(buckets())) {
      expect(b.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      });
      const rules = (
        b.Properties.LifecycleConfiguration as { Rules: { AbortIncompleteMultipartUpload?: unknown }[] }
      ).Rules;
      expect(rules, id).toContainEqual(
        expect.objectContaining({
          AbortIncompleteMultipartUpload: {
            DaysAfterInitiation: synth.config.storage.abortIncompleteMultipartUploadDays,
          },
        }),
      );
    }
  });

  it("expire the exports bucket's Athena staging (_staging/) after a day, and nothing else of it", () => {
    // Prepare: the exports bucket is the one the pipeline stack imports as LakelineData-ExportsBucketName
    const exports = Object.entries(buckets()).filter(([, b]) =>
      (b.Properties.LifecycleConfiguration as { Rules: { Prefix?: string }[] }).Rules.some(
        (r) => r.Prefix === EXPORT_STAGING_PREFIX,
      ),
    );
    // Act
    const rules = (exports[0]?.[1].Properties.LifecycleConfiguration as { Rules: Record<string, unknown>[] })
      ?.Rules;
    // Assess
    expect(exports.map(([id]) => id)).toEqual([expect.stringMatching(/^ExportsBucket/)]);
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: "_staging/",
        ExpirationInDays: EXPORT_STAGING_EXPIRATION_DAYS,
        Status: "Enabled",
      }),
    );
    const whole = rules.filter((r) => r.Prefix === undefined);
    for (const r of whole) expect(r.ExpirationInDays).toBeUndefined();
  });

  it("log access to the access-log bucket (all but the log bucket itself)", () => {
    const logged = Object.entries(buckets()).filter(([, b]) => b.Properties.LoggingConfiguration);
    expect(logged).toHaveLength(7);
    for (const [, b] of logged) {
      expect(
        flatten(
          (b.Properties.LoggingConfiguration as { DestinationBucketName: unknown }).DestinationBucketName,
        ),
      ).toMatch(/^<AccessLogsBucket[0-9A-F]+>$/);
    }
  });

  it("version only the raw bucket, whose blobs lineage names by version", () => {
    const versioned = Object.keys(buckets()).filter(
      (id) =>
        (buckets()[id]!.Properties.VersioningConfiguration as { Status?: string } | undefined)?.Status ===
        "Enabled",
    );
    expect(versioned).toEqual([expect.stringMatching(/^RawBucket[0-9A-F]+$/)]);
  });

  it("each deny any request not made over TLS", () => {
    const policies = Object.values(resourcesOf(synth.dataTemplate, "AWS::S3::BucketPolicy"));
    const covered = new Set<string>();
    for (const p of policies) {
      const statements = (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      const denyTls = statements.find(
        (s) =>
          s.Effect === "Deny" &&
          s.Action === "s3:*" &&
          JSON.stringify(s.Condition) === JSON.stringify({ Bool: { "aws:SecureTransport": "false" } }),
      );
      if (denyTls) covered.add(flatten(p.Properties.Bucket));
    }
    expect([...covered].sort()).toEqual(
      Object.keys(buckets())
        .map((id) => `<${id}>`)
        .sort(),
    );
  });
});

describe("stateful resources", () => {
  it("are all retained on delete and on replacement", () => {
    const stateful = ["AWS::S3::Bucket", "AWS::Glue::Database", "AWS::Glue::Table", "AWS::Events::EventBus"];
    let count = 0;
    for (const type of stateful) {
      for (const [id, r] of Object.entries(resourcesOf(synth.dataTemplate, type))) {
        expect({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({
          id,
          deletion: "Retain",
          replace: "Retain",
        });
        count++;
      }
    }
    expect(count).toBe(8 + 1 + (6 * datasets.length + 1) + 1);
  });

  it("live apart from the functions", () => {
    expect(Object.keys(resourcesOf(synth.dataTemplate, "AWS::Lambda::Function"))).toEqual([]);
    expect(Object.keys(resourcesOf(synth.pipelineTemplate, "AWS::S3::Bucket"))).toEqual([]);
    expect(Object.keys(resourcesOf(synth.pipelineTemplate, "AWS::Glue::Table"))).toEqual([]);
  });
});
