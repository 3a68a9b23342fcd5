/** The DynamoDB online store against moto's DynamoDB (real conditional writes, no SDK mocks). */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe } from "vitest";
import { DynamoDbOnlineStore } from "../../src/adapters/aws/dynamodb-online-store.js";
import { type MotoHandle, motoAvailable, startMoto } from "../support/moto.js";
import { onlineStoreContract } from "./online-store.contract.js";

const available = motoAvailable();
let moto: MotoHandle | undefined;
let client: DynamoDBClient;
let seq = 0;

beforeAll(async () => {
  if (!available) return;
  moto = await startMoto();
  client = new DynamoDBClient({
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}, 40_000);
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe.skipIf(!available)("OnlineStore contract: DynamoDB (moto)", () => {
  onlineStoreContract(async () => {
    const table = `online-${++seq}`;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    return new DynamoDbOnlineStore(client, table);
  });
});
