/** Shared by the infra tests: build the real lakeline app once per test file, into a temp dir. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Template } from "aws-cdk-lib/assertions";
import { createLakelineApp, defaultEntries, type LakelineApp } from "../../infra/lakeline-app.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const SCHEMAS = path.join(ROOT, "schemas");

export interface Synthesized extends LakelineApp {
  readonly outdir: string;
  readonly dataTemplate: Template;
  readonly pipelineTemplate: Template;
  /** cdk-nag's findings as written to validation-report.json (unacknowledged only). */
  readonly nagViolations: { ruleName: string; constructs: string[] }[];
  cleanup(): void;
}

/**
 * @param bundle false skips esbuild (CDK's `aws:cdk:bundling-stacks` context) for tests that only
 *   read templates; true bundles the functions for real.
 */
export function synthLakeline(options: { bundle: boolean; exportStandIn?: boolean }): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), "lakeline-cdk-"));
  const entries = defaultEntries(ROOT);
  // Until functions/export.ts exists, the schedule wiring is checked against the ingest entry.
  const withExport =
    options.exportStandIn && !entries.export ? { ...entries, export: entries.ingest } : entries;
  const built = createLakelineApp({
    projectRoot: ROOT,
    entries: withExport,
    appProps: {
      outdir,
      context: {
        ...(options.bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
        // Collect findings in the report instead of throwing, so a test can list them.
        "@aws-cdk/core:failSynthOnValidationErrors": false,
      },
    },
  });
  built.app.synth();
  const reportFile = path.join(outdir, "validation-report.json");
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, "utf8")) as {
        pluginReports: {
          pluginName: string;
          violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
        }[];
      })
    : { pluginReports: [] };
  const nagViolations = report.pluginReports
    .filter((p) => p.pluginName === "AwsSolutions")
    .flatMap((p) => p.violations)
    .map((v) => ({ ruleName: v.ruleName, constructs: v.violatingConstructs.map((c) => c.constructPath) }));
  return {
    ...built,
    outdir,
    dataTemplate: Template.fromStack(built.data),
    pipelineTemplate: Template.fromStack(built.pipeline),
    nagViolations,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** cdk-nag's flattening of an IAM resource, so assertions read like ARNs. */
export function flatten(node: unknown): string {
  if (typeof node === "string") return node;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o["Fn::Join"])) {
    const [delimiter, items] = o["Fn::Join"] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (o["Fn::ImportValue"] !== undefined) return flatten(o["Fn::ImportValue"]);
  if (Array.isArray(o["Fn::GetAtt"])) return `<${(o["Fn::GetAtt"] as string[]).join(".")}>`;
  if (o.Ref !== undefined) return `<${String(o.Ref)}>`;
  return JSON.stringify(node);
}

export type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown> } & Record<string, unknown>
>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}
