/** CDK entry point (`cdk.json` → `npx tsx infra/app.ts`). */
import { createLakelineApp } from "./lakeline-app.js";

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
// Environment-agnostic unless the CLI knows the target account (nothing here needs lookups).
const { app } = createLakelineApp(account && region ? { env: { account, region } } : {});
app.synth();
