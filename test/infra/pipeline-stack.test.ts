import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportRequest } from "../../infra/config.js";
import { flatten, resourcesOf, SCHEMAS, type Synthesized, synthLakeline } from "./synth.js";

// One real synth for the whole file: esbuild bundles the functions and copies DuckDB's binding.
let synth: Synthesized;
beforeAll(() => {
  synth = synthLakeline({ bundle: true, exportStandIn: true });
});
afterAll(() => synth?.cleanup());

const functions = () => resourcesOf(synth.pipelineTemplate, "AWS::Lambda::Function");
/** Logical id of the function whose Description starts with `lakeline <service>:`. */
function functionId(service: string): string {
  const id = Object.keys(functions()).find((k) =>
    String(functions()[k]!.Properties.Description).startsWith(`lakeline ${service}:`),
  );
  if (!id) throw new Error(`no ${service} function`);
  return id;
}
const ref = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

/** Every statement of the policies attached to the role of `functionId`. */
function statementsOf(fnId: string): Statement[] {
  const roleId = (functions()[fnId]!.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  // CDK moves statements past the inline policy's size limit into managed "overflow" policies.
  const policies = ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]
    .flatMap((type) => Object.values(resourcesOf(synth.pipelineTemplate, type)))
    .filter((p) => ((p.Properties.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref === roleId));
  return policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
/** `action` → flattened resources it is allowed on. */
function allowed(fnId: string, action: string): string[] {
  return statementsOf(fnId)
    .filter((s) => s.Effect === "Allow" && list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource).map(flatten))
    .sort();
}

describe("ingest trigger", () => {
  it("notifies ingest of every ObjectCreated in the raw bucket, without case-sensitive suffix filters", () => {
    // Act
    const [notifications] = Object.values(
      resourcesOf(synth.pipelineTemplate, "Custom::S3BucketNotifications"),
    );
    const props = notifications!.Properties as {
      BucketName: unknown;
      NotificationConfiguration: { LambdaFunctionConfigurations: Record<string, unknown>[] };
    };
    // Assess: one unfiltered configuration; the function itself matches extensions in any case
    expect(flatten(props.BucketName)).toBe("LakelineData-RawBucketName");
    expect(props.NotificationConfiguration.LambdaFunctionConfigurations).toEqual([
      { LambdaFunctionArn: ref(functionId("ingest")), Events: ["s3:ObjectCreated:*"] },
    ]);
  });

  it("lets only S3, from this account, invoke ingest", () => {
    synth.pipelineTemplate.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: ref(functionId("ingest")),
      Principal: "s3.amazonaws.com",
      SourceAccount: { Ref: "AWS::AccountId" },
    });
  });
});

describe("export schedules", () => {
  it("invoke the export function with each configured export spec as input", () => {
    // Prepare
    expect(synth.config.exports.length).toBeGreaterThan(0);
    const rules = Object.values(resourcesOf(synth.pipelineTemplate, "AWS::Events::Rule"));
    // Assess
    expect(rules).toHaveLength(synth.config.exports.length);
    for (const schedule of synth.config.exports) {
      const rule = rules.find((r) => String(r.Properties.Description).includes(`export ${schedule.name}:`));
      expect(rule?.Properties.ScheduleExpression).toBe(`cron(${schedule.cron})`);
      const [target] = rule!.Properties.Targets as Record<string, unknown>[];
      expect(target!.Arn).toEqual(ref(functionId("export")));
      expect(JSON.parse(String(target!.Input))).toEqual(exportRequest(schedule));
    }
  });
});

describe("failure paths", () => {
  it.each(["ingest", "export"])("%s: async retries, max event age and an on-failure queue", (service) => {
    const settings = service === "ingest" ? synth.config.ingest : synth.config.export;
    const fnId = functionId(service);
    const configs = Object.values(
      resourcesOf(synth.pipelineTemplate, "AWS::Lambda::EventInvokeConfig"),
    ).filter((c) => JSON.stringify(c.Properties.FunctionName) === JSON.stringify({ Ref: fnId }));
    expect(configs).toHaveLength(1);
    const props = configs[0]!.Properties as {
      DestinationConfig: { OnFailure: { Destination: unknown } };
    } & Record<string, unknown>;
    expect(props.MaximumRetryAttempts).toBe(settings.retryAttempts);
    expect(props.MaximumEventAgeInSeconds).toBe(settings.maxEventAgeSeconds);
    const queueId = (props.DestinationConfig.OnFailure.Destination as { "Fn::GetAtt": [string, string] })[
      "Fn::GetAtt"
    ][0];
    const queue = resourcesOf(synth.pipelineTemplate, "AWS::SQS::Queue")[queueId]!;
    expect(queue.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it("outputs the ingest function and its on-failure queue, for the documented re-drive", () => {
    const outputs = synth.pipelineTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.IngestFunctionName!.Value).toEqual({ Ref: functionId("ingest") });
    const queueUrl = outputs.IngestFailureQueueUrl!.Value as { Ref: string };
    expect(resourcesOf(synth.pipelineTemplate, "AWS::SQS::Queue")[queueUrl.Ref]).toBeDefined();
  });

  it("on-failure queues deny non-TLS access", () => {
    const policies = Object.values(resourcesOf(synth.pipelineTemplate, "AWS::SQS::QueuePolicy"));
    expect(policies.length).toBe(Object.keys(resourcesOf(synth.pipelineTemplate, "AWS::SQS::Queue")).length);
    for (const p of policies) {
      expect((p.Properties.PolicyDocument as { Statement: Statement[] }).Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
  });

  it("alarms notify a topic the stack creates when the config names none, encrypted, TLS only", () => {
    // Prepare: the synthesized config sets no alarmTopicArn
    expect(synth.config.alarmTopicArn).toBeUndefined();
    const topics = Object.keys(resourcesOf(synth.pipelineTemplate, "AWS::SNS::Topic"));
    // Act
    const alarms = Object.values(resourcesOf(synth.pipelineTemplate, "AWS::CloudWatch::Alarm"));
    // Assess
    expect(topics).toHaveLength(1);
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topics[0] }]);
    synth.pipelineTemplate.hasResourceProperties(
      "AWS::SNS::Topic",
      Match.objectLike({ KmsMasterKeyId: Match.anyValue() }),
    );
    synth.pipelineTemplate.hasResourceProperties(
      "AWS::KMS::Key",
      Match.objectLike({ EnableKeyRotation: true }),
    );
    synth.pipelineTemplate.hasResourceProperties(
      "AWS::SNS::TopicPolicy",
      Match.objectLike({
        PolicyDocument: Match.objectLike({
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            Match.objectLike({ Action: "sns:Publish", Principal: { Service: "cloudwatch.amazonaws.com" } }),
          ]),
        }),
      }),
    );
  });

  it("alarm on errors, throttles and any message waiting in an on-failure queue", () => {
    const alarms = Object.values(resourcesOf(synth.pipelineTemplate, "AWS::CloudWatch::Alarm")).map(
      (a) => a.Properties,
    );
    for (const service of ["ingest", "export", "materialize", "features-get"]) {
      for (const metric of ["Errors", "Throttles"]) {
        expect(alarms).toContainEqual(
          expect.objectContaining({
            MetricName: metric,
            Namespace: "AWS/Lambda",
            Dimensions: [{ Name: "FunctionName", Value: { Ref: functionId(service) } }],
            ComparisonOperator: "GreaterThanThreshold",
            Threshold: 0,
          }),
        );
      }
    }
    const depth = alarms.filter((a) => a.MetricName === "ApproximateNumberOfMessagesVisible");
    expect(depth).toHaveLength(4);
    for (const a of depth)
      expect(a).toMatchObject({
        Namespace: "AWS/SQS",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
  });
});

describe("functions", () => {
  it.each(["ingest", "export"])(
    "%s: Node 22 ESM bundle, JSON logs with retention, X-Ray, Powertools and lakeline env",
    (service) => {
      const fn = functions()[functionId(service)]!.Properties as Record<string, unknown> & {
        Environment: { Variables: Record<string, unknown> };
      };
      expect(fn).toMatchObject({
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Architectures: ["x86_64"],
        TracingConfig: { Mode: "Active" },
        LoggingConfig: expect.objectContaining({ LogFormat: "JSON" }),
      });
      const env = fn.Environment.Variables;
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(service);
      expect(env.LAKELINE_SCHEMAS).toBe("/var/task/schemas");
      expect(flatten(env.LAKELINE_RAW_BUCKET)).toBe("LakelineData-RawBucketName");
      expect(flatten(env.LAKELINE_WAREHOUSE_BUCKET)).toBe("LakelineData-WarehouseBucketName");
      expect(flatten(env.LAKELINE_FAILED_BUCKET)).toBe("LakelineData-FailedBucketName");
      expect(env.LAKELINE_GLUE_DATABASE).toBe(synth.config.glueDatabaseName);
      expect(env.LAKELINE_ATHENA_WORKGROUP).toBe("LakelineData-workgroup");
      expect(flatten(env.LAKELINE_LINEAGE_BUS)).toBe("LakelineData-LineageBusName");
      expect(env.LAKELINE_MAX_BLOB_BYTES).toBe(String(synth.config.maxBlobBytes));
      // The gzip guard leaves /tmp room for the blob, its decompressed copy, staging and outputs.
      const tmpBytes = synth.config.ingest.ephemeralStorageMb * 2 ** 20;
      expect(Number(env.LAKELINE_MAX_DECOMPRESSED_BYTES)).toBe(
        Math.floor((tmpBytes - synth.config.maxBlobBytes) / 2),
      );
      expect(synth.config.maxBlobBytes + 2 * Number(env.LAKELINE_MAX_DECOMPRESSED_BYTES)).toBeLessThanOrEqual(
        tmpBytes,
      );
      const logGroupId = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(
        resourcesOf(synth.pipelineTemplate, "AWS::Logs::LogGroup")[logGroupId]!.Properties.RetentionInDays,
      ).toBe(synth.config.logRetentionDays);
    },
  );

  it("the ingest bundle ships index.mjs, schemas/ and DuckDB's linux-x64 binding, and loads on its own", () => {
    // Prepare
    const code = functions()[functionId("ingest")]!.Properties.Code as { S3Key: string };
    const dir = path.join(synth.outdir, `asset.${code.S3Key.replace(/\.zip$/, "")}`);
    // Assess: contents
    expect(readFileSync(path.join(dir, "index.mjs"), "utf8")).toMatch(
      /^import\{createRequire as __lakelineCreateRequire\}|^import \{ createRequire as __lakelineCreateRequire \}/,
    );
    for (const ds of readdirSync(SCHEMAS)) {
      if (statSync(path.join(SCHEMAS, ds)).isDirectory()) {
        expect(readdirSync(path.join(dir, "schemas", ds)).sort()).toEqual(
          readdirSync(path.join(SCHEMAS, ds)).sort(),
        );
      }
    }
    expect(
      statSync(path.join(dir, "node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so")).size,
    ).toBeGreaterThan(1e7);
    // Act: load the bundle and the shipped binding from the asset folder alone (outside the repo,
    // so nothing resolves from the repository's node_modules), as Lambda would.
    const script = `
      const m = await import(${JSON.stringify(path.join(dir, "index.mjs"))});
      const { createRequire } = await import("node:module");
      const req = createRequire(${JSON.stringify(path.join(dir, "index.mjs"))});
      const bindingFile = req.resolve("@duckdb/node-bindings");
      const duckdb = req("@duckdb/node-bindings");
      const db = await duckdb.open(":memory:");
      const conn = await duckdb.connect(db);
      const result = await duckdb.query(conn, "select 6 * 7");
      const chunk = await duckdb.fetch_chunk(result);
      const value = duckdb.vector_get_data(duckdb.data_chunk_get_vector(chunk, 0), 4).readInt32LE(0);
      console.log(JSON.stringify({ handler: typeof m.handler, bindingFile, value }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      env: { PATH: process.env.PATH, AWS_REGION: "us-east-1", LAKELINE_SCHEMAS: path.join(dir, "schemas") },
      encoding: "utf8",
    });
    // Assess
    const loaded = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(loaded).toEqual({
      handler: "function",
      bindingFile: path.join(dir, "node_modules/@duckdb/node-bindings/duckdb.js"),
      value: 42,
    });
    console.info(
      `ingest asset: ${execFileSync("du", ["-sh", dir], { encoding: "utf8" }).split("\t")[0]} (index.mjs ${(statSync(path.join(dir, "index.mjs")).size / 1024).toFixed(0)} KiB)`,
    );
  });
});

describe("least privilege", () => {
  const prefixesOf = (resources: string[], bucket: string) =>
    resources
      .filter((r) => r.startsWith(`LakelineData-${bucket}BucketArn/`))
      .map((r) => r.slice(`LakelineData-${bucket}BucketArn/`.length));
  const datasets = () => [...synth.data.refs.datasets];

  it.each(["ingest", "export"])(
    "%s: no wildcard action, no '*' resource except X-Ray, no delete",
    (service) => {
      const statements = statementsOf(functionId(service));
      for (const s of statements) {
        for (const a of list(s.Action)) expect(a, JSON.stringify(s)).not.toContain("*");
        expect(
          list(s.Action).some((a) => a.startsWith("s3:Delete")),
          JSON.stringify(s),
        ).toBe(false);
        if (list(s.Resource).includes("*"))
          expect(list(s.Action).sort()).toEqual(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
      }
    },
  );

  it("ingest reads raw (writing only split parts), and writes only dataset and bookkeeping prefixes of the output buckets", () => {
    const fn = functionId("ingest");
    const put = allowed(fn, "s3:PutObject");
    // Raw: only the parts of a blob split for scale-out, never an upload itself.
    expect(prefixesOf(put, "Raw")).toEqual(["*/*/_parts/*"]);
    expect(prefixesOf(put, "Warehouse").sort()).toEqual(
      [
        ...datasets().map((d) => `${d}/*`),
        "_content/*",
        "_index/runs/*",
        "_reports/*",
        "_reprocess/*",
        "_runs/*",
        "_stats/*",
      ].sort(),
    );
    // Rejected blobs under any dataset the key names (or _invalid/), routed records under _routed/.
    expect(prefixesOf(put, "Quarantine").sort()).toEqual(
      [...datasets().map((d) => `${d}/*`), "*/_rejected/*", "_invalid/*"].sort(),
    );
    expect(prefixesOf(put, "Failed").sort()).toEqual(
      [...datasets().map((d) => `${d}/*`), "_routed/*"].sort(),
    );
    expect(prefixesOf(put, "Lineage").sort()).toEqual(["_index/lineage/*", "mlmd/*", "openlineage/*"]);
    expect(allowed(fn, "s3:GetObjectVersion")).toEqual(["LakelineData-RawBucketArn/*"]);
    expect(allowed(fn, "events:PutEvents")).toEqual(["LakelineData-LineageBusArn"]);
  });

  it.each(["ingest", "export"])("%s: nothing bucket-wide on warehouse, quarantine or lineage", (service) => {
    const resources = statementsOf(functionId(service)).flatMap((s) => list(s.Resource).map(flatten));
    for (const bucket of ["Warehouse", "Quarantine", "Lineage", "Failed"]) {
      expect(resources).not.toContain(`LakelineData-${bucket}BucketArn/*`);
    }
  });

  it.each(["ingest", "export"])(
    "%s: may list every bucket it reads, unconditionally, so a missing key answers 404 and not 403",
    (service) => {
      // Prepare: S3 checks s3:ListBucket for a GET/HEAD of a missing key without any s3:prefix
      const statements = statementsOf(functionId(service));
      const readBuckets = new Set(
        statements
          .filter((s) => list(s.Action).includes("s3:GetObject"))
          .flatMap((s) => list(s.Resource).map((r) => flatten(r).split("/")[0]!)),
      );
      // Act
      const lists = statements.filter((s) => list(s.Action).includes("s3:ListBucket"));
      // Assess
      expect(readBuckets.size).toBeGreaterThan(2);
      for (const bucket of readBuckets) {
        const grant = lists.find((s) => list(s.Resource).map(flatten).includes(bucket));
        expect(grant, `s3:ListBucket on ${bucket}`).toBeDefined();
        expect(grant?.Condition, `s3:ListBucket on ${bucket} has no condition`).toBeUndefined();
      }
    },
  );

  it("export may ask the region of every bucket Athena reads or UNLOADs into (s3:GetBucketLocation)", () => {
    // Act
    const located = allowed(functionId("export"), "s3:GetBucketLocation");
    // Assess: bucket ARNs, not objects; the exports bucket is UNLOAD's target
    expect([...located].sort()).toEqual([
      "LakelineData-AthenaResultsBucketArn",
      "LakelineData-ExportsBucketArn",
      "LakelineData-WarehouseBucketArn",
    ]);
  });

  it("export reads the warehouse, writes exports, and reaches Athena and Glue only for lakeline", () => {
    const fn = functionId("export");
    expect(prefixesOf(allowed(fn, "s3:PutObject"), "Warehouse")).toEqual([]);
    expect(allowed(fn, "s3:PutObject")).toEqual(
      expect.arrayContaining([
        "LakelineData-ExportsBucketArn/*",
        "LakelineData-AthenaResultsBucketArn/athena/*",
      ]),
    );
    expect(allowed(fn, "athena:StartQueryExecution")).toEqual([
      "arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/LakelineData-workgroup",
    ]);
    const db = synth.config.glueDatabaseName;
    expect(allowed(fn, "glue:GetTable")).toEqual(
      [
        "arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog",
        `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/${db}`,
        ...synth.data.refs.glueTableNames.map(
          (t) => `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${db}/${t}`,
        ),
        `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${db}/_lakeline_entities_*`,
      ].sort(),
    );
    // A training set registers its entity file as a table and drops it: only tables of that prefix.
    for (const action of ["glue:CreateTable", "glue:DeleteTable"])
      expect(allowed(fn, action)).toEqual([
        "arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:catalog",
        `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:database/${db}`,
        `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${db}/_lakeline_entities_*`,
      ]);
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding", () => {
    expect(synth.nagViolations).toEqual([]);
    for (const stack of [synth.data, synth.pipeline]) {
      expect(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).toEqual(
        [],
      );
    }
  });

  it("gives a reason for every acknowledgement", () => {
    const acknowledged: Record<string, string>[] = [];
    for (const stack of [synth.data, synth.pipeline]) {
      for (const c of stack.node.findAll()) {
        for (const m of c.node.metadata)
          if (m.type === "aws:cdk:acknowledged-rules") acknowledged.push(m.data as Record<string, string>);
      }
    }
    const entries = acknowledged.flatMap((a) => Object.entries(a));
    expect(entries.length).toBeGreaterThan(10);
    for (const [id, reason] of entries) {
      // CDK stores ids it has no prefix for as annotations; cdk-nag strips that prefix again.
      expect(id).toMatch(/^(Annotation::)?AwsSolutions-/);
      expect(typeof reason === "string" ? reason : JSON.stringify(reason)).toMatch(/\w+ \w+ \w+/);
    }
  });
});
