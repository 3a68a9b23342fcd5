// Runs a shipped handler the way Lambda's Node runtime does: load index.mjs once, then invoke the
// exported handler with each event (a warm container), with a Lambda-shaped context. Events come on
// stdin as { events, timeoutMs }; one report line is printed last, after a marker.
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";

const [entry, exported] = process.argv.slice(2);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const { events, timeoutMs } = JSON.parse(input);
const mod = await import(pathToFileURL(entry).href);
const handler = mod[exported];
if (typeof handler !== "function") throw new Error(`${entry} exports no function ${exported}`);
const results = [];
for (const event of events) {
  const started = Date.now();
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: "$LATEST",
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    callbackWaitsForEmptyEventLoop: true,
  };
  try {
    results.push({ ok: true, value: await handler(event, context) });
  } catch (err) {
    results.push({ ok: false, error: { name: err?.name ?? "Error", message: String(err?.message ?? err) } });
  }
}
const report = { results, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
process.stdout.write(
  `\n@@lakeline-runner@@${JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? Number(v) : v))}`,
);
