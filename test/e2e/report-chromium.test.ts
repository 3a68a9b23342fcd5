/**
 * Opens a real batch report in headless Chromium: the page must render (a screenshot with real
 * content) and its DOM must hold the anomaly rows. Needs /usr/bin/chromium
 * (`apt-get install -y --no-install-recommends chromium`); without it the test is skipped with
 * that reason — it never installs anything itself.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fileStatistics } from "../../src/adapters/duckdb/file-statistics.js";
import { SchemaRegistry } from "../../src/contract/schema-registry.js";
import { renderReport } from "../../src/core/report/html.js";
import { batchAnomalies } from "../../src/core/validate/batch.js";
import { CHROMIUM, chromiumArgs, HAS_CHROMIUM, SKIP_REASON } from "../support/chromium.js";
import { tempDir } from "../support/temp.js";

const PENGUINS = "node_modules/vega-datasets/data/penguins.json";
const run = promisify(execFile);

/** Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes) into pixel rows. */
function decodePng(png: Buffer): { width: number; height: number; pixel: (x: number, y: number) => string } {
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.subarray(pos + 4, pos + 8).toString("latin1");
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8); // bit depth
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels).toBeGreaterThan(0);
      expect(data[12]).toBe(0); // not interlaced
    }
    if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? out[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      out[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    pixel: (x, y) => out.subarray(y * stride + x * channels, y * stride + x * channels + 3).toString("hex"),
  };
}

describe("HTML report in headless Chromium", () => {
  // The reason is in the test's title and on stderr so a skipped run says why in any reporter.
  const title = `renders penguins statistics with drift anomalies: screenshot has content, DOM has the anomaly rows${HAS_CHROMIUM ? "" : ` [SKIPPED: ${SKIP_REASON}]`}`;
  it(title, async (ctx) => {
    if (!HAS_CHROMIUM) {
      console.warn(`report-chromium: skipped — ${SKIP_REASON}`);
      ctx.skip(SKIP_REASON);
    }
    // Prepare: real statistics of all penguins, previous batch = the Adelie penguins only.
    const dir = await tempDir("report");
    const rows = JSON.parse(readFileSync(PENGUINS, "utf8")) as { Species: string }[];
    writeFileSync(path.join(dir, "adelie.json"), JSON.stringify(rows.filter((r) => r.Species === "Adelie")));
    const statistics = { ...(await fileStatistics(PENGUINS, { dataset: "penguins" })), schemaVersion: 1 };
    const previous = {
      ...(await fileStatistics(path.join(dir, "adelie.json"), { dataset: "penguins" })),
      schemaVersion: 1,
    };
    const schema = new SchemaRegistry("schemas").load("penguins").schema;
    const anomalies = batchAnomalies({
      schema,
      environment: "TRAINING",
      statistics,
      previous,
      sourceFields: statistics.sourceFields,
    });
    expect(anomalies.map((a) => a.type)).toContain("COMPARATOR_L_INFTY_HIGH");
    const html = renderReport({
      dataset: "penguins",
      runId: "6fa459ea-ee8a-5ca4-894e-db77e160355e",
      environment: "TRAINING",
      schemaVersion: 1,
      sourceKey: "penguins/training/penguins.json",
      statistics,
      anomalies,
      previous,
      lineageMermaid: "graph LR\n  raw[penguins.json] --> ingest --> warehouse[(penguins)]",
      generatedAt: "2024-05-02T09:00:00Z",
    });
    const page = path.join(dir, "report.html");
    writeFileSync(page, html);
    const png = path.join(dir, "report.png");

    // Act
    await run(
      CHROMIUM,
      [
        ...chromiumArgs(path.join(dir, "profile-shot")),
        `--screenshot=${png}`,
        "--window-size=1200,2000",
        `file://${page}`,
      ],
      {
        timeout: 90_000,
      },
    );
    const dom = await run(
      CHROMIUM,
      [...chromiumArgs(path.join(dir, "profile-dom")), "--dump-dom", `file://${page}`],
      {
        timeout: 90_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );

    // Assess: a real picture — large, and many colours (dark header, tinted rows, blue bars).
    expect(existsSync(png)).toBe(true);
    expect(statSync(png).size).toBeGreaterThan(10 * 1024);
    const image = decodePng(readFileSync(png));
    expect([image.width, image.height]).toEqual([1200, 2000]);
    const colours = new Set<string>();
    for (let y = 0; y < image.height; y += 25)
      for (let x = 0; x < image.width; x += 25) colours.add(image.pixel(x, y));
    expect(colours.size).toBeGreaterThan(8);
    expect(image.pixel(5, 5)).toBe("1d2330"); // header background
    // The DOM as Chromium parsed it holds one row per anomaly, with its type and severity.
    const rowsInDom = [...dom.stdout.matchAll(/<tr class="anomaly sev-(\w+)" data-type="(\w+)">/g)].map(
      (m) => m[2],
    );
    expect(rowsInDom.sort()).toEqual(anomalies.map((a) => a.type).sort());
    expect(dom.stdout).toContain("High Linfty distance between current and previous");
    expect(dom.stdout).toContain('id="f-species"');
  }, 180_000);
});
