/**
 * Builds the lakeline CDK app: config → data stack → pipeline stack → cdk-nag. `app.ts` runs it for
 * the CDK CLI; tests call it directly with their own outdir.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { App, type AppProps, type Environment, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { SchemaRegistry } from "../src/contract/schema-registry.js";
import { type DeployConfig, loadDeployConfig } from "./config.js";
import { acknowledgeFrameworkFindings } from "./nag.js";
import { DataStack } from "./stacks/data-stack.js";
import { type PipelineEntries, PipelineStack } from "./stacks/pipeline-stack.js";

export interface LakelineAppOptions {
  /** Repository root (package.json, schemas/, functions/). @default the folder above infra/ */
  readonly projectRoot?: string;
  /** @default <projectRoot>/lakeline.config.json (absent file = defaults) */
  readonly configFile?: string;
  /** Overrides the file, for tests. */
  readonly config?: DeployConfig;
  /** @default <projectRoot>/schemas */
  readonly schemasDir?: string;
  /** @default functions/{ingest,export}.ts; export is wired only if it exists (ingest must) */
  readonly entries?: PipelineEntries;
  readonly env?: Environment;
  readonly appProps?: AppProps;
}

export interface LakelineApp {
  readonly app: App;
  readonly config: DeployConfig;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
}

export function defaultEntries(projectRoot: string): PipelineEntries {
  const entry = (name: string) => path.join(projectRoot, "functions", `${name}.ts`);
  if (!existsSync(entry("ingest"))) throw new Error(`lakeline infra: ${entry("ingest")} does not exist`);
  const optional = (name: "export" | "materialize") =>
    existsSync(entry(name)) ? { [name]: entry(name) } : {};
  const featuresGet = existsSync(entry("features-get")) ? { featuresGet: entry("features-get") } : {};
  return { ingest: entry("ingest"), ...optional("export"), ...optional("materialize"), ...featuresGet };
}

export function createLakelineApp(options: LakelineAppOptions = {}): LakelineApp {
  const projectRoot = options.projectRoot ?? path.resolve(import.meta.dirname, "..");
  const schemasDir = options.schemasDir ?? path.join(projectRoot, "schemas");
  const datasets = new SchemaRegistry(schemasDir).datasets();
  const config =
    options.config ??
    loadDeployConfig(options.configFile ?? path.join(projectRoot, "lakeline.config.json"), datasets);

  // The CLI passes cdk.json's feature flags; an App built in a test must see the same ones.
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  const app = new App({
    ...options.appProps,
    context: { ...cdkJson.context, ...options.appProps?.context },
  });
  const stackProps = { ...(options.env ? { env: options.env } : {}), config, schemasDir };
  const data = new DataStack(app, `${config.stackPrefix}Data`, {
    ...stackProps,
    description: "lakeline data: buckets, Glue catalog, Athena workgroup, lineage bus (retained)",
  });
  const pipeline = new PipelineStack(app, `${config.stackPrefix}Pipeline`, {
    ...stackProps,
    description: "lakeline pipeline: ingest/export functions, triggers, failure queues, alarms",
    data: data.refs,
    entries: options.entries ?? defaultEntries(projectRoot),
    projectRoot,
  });
  pipeline.addStackDependency(data);

  acknowledgeFrameworkFindings(pipeline);
  // cdk-nag 3 is a CDK policy-validation plugin (no longer an Aspect): any unacknowledged finding
  // fails `cdk synth`, and acknowledgements are `Validations.of(construct).acknowledge(...)`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, config, data, pipeline };
}
