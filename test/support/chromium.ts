/**
 * Debian's headless Chromium for tests that render a page (`apt-get install -y
 * --no-install-recommends chromium`). Tests skip with SKIP_REASON when it is absent and never
 * install it themselves.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

// Overridable so the skip path itself can be exercised: LAKELINE_CHROMIUM=/nonexistent.
export const CHROMIUM = process.env.LAKELINE_CHROMIUM ?? "/usr/bin/chromium";
export const SKIP_REASON = `${CHROMIUM} not found: install it with \`apt-get install -y --no-install-recommends chromium\` to run this test`;
export const HAS_CHROMIUM = existsSync(CHROMIUM);

const run = promisify(execFile);

export function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
  ];
}

/** The DOM of `page` as Chromium parsed it (serialised by --dump-dom). */
export async function dumpDom(page: string, profile: string): Promise<string> {
  const out = await run(CHROMIUM, [...chromiumArgs(profile), "--dump-dom", `file://${page}`], {
    timeout: 90_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return out.stdout;
}

/**
 * The text a reader sees in a fragment of serialised DOM: style sheets dropped, inline tags removed
 * in place, block tags as spaces, entities decoded, spaces collapsed.
 */
export function domText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<\/?(a|b|code|small|i|em|strong)\b[^>]*>/g, "")
    .replace(/<[^>]*>/g, " ")
    .replace(
      /&(lt|gt|quot|#39|nbsp|amp);/g,
      (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " ", amp: "&" })[e]!,
    )
    .replace(/\s+/g, " ")
    .trim();
}
