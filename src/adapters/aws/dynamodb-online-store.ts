/**
 * The online store in AWS: one DynamoDB table, partition key `pk` = `<view>#<entity key text>`.
 * Each write is a PutItem with `attribute_not_exists(pk) OR #order < :order`, so the newest row
 * wins whatever order runs arrive in; an equal order (a re-delivered run) or a smaller one fails
 * the condition and is reported, not retried. The item is kept as JSON text beside the order.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { OnlineItem } from "../../core/features/online.js";
import { mapLimit } from "../../core/map-limit.js";
import type { OnlineStore, PutOutcome } from "../../ports/online-store.js";

const WRITE_CONCURRENCY = 8;

export class DynamoDbOnlineStore implements OnlineStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  private pk(view: string, key: string): string {
    return `${view}#${key}`;
  }

  private attributes(item: OnlineItem) {
    return {
      pk: { S: this.pk(item.view, item.key) },
      view: { S: item.view },
      order: { S: item.order },
      item: { S: JSON.stringify(item) },
    };
  }

  async replaceIf(
    view: string,
    key: string,
    expectedOrder: string,
    next: OnlineItem | null,
  ): Promise<boolean> {
    if (next && (next.view !== view || next.key !== key)) throw new Error("replaceIf: item of another key");
    const condition = {
      ConditionExpression: "#order = :expected",
      ExpressionAttributeNames: { "#order": "order" },
      ExpressionAttributeValues: { ":expected": { S: expectedOrder } },
    };
    try {
      if (next)
        await this.client.send(
          new PutItemCommand({ TableName: this.tableName, Item: this.attributes(next), ...condition }),
        );
      else
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: { pk: { S: this.pk(view, key) } },
            ...condition,
          }),
        );
      return true;
    } catch (err) {
      if (
        err instanceof ConditionalCheckFailedException ||
        (err as Error)?.name === "ConditionalCheckFailedException"
      )
        return false;
      throw err;
    }
  }

  async putIfNewer(item: OnlineItem): Promise<PutOutcome> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: this.attributes(item),
          ConditionExpression: "attribute_not_exists(pk) OR #order < :order",
          ExpressionAttributeNames: { "#order": "order" },
          ExpressionAttributeValues: { ":order": { S: item.order } },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return "written";
    } catch (err) {
      if (
        !(err instanceof ConditionalCheckFailedException) &&
        (err as Error)?.name !== "ConditionalCheckFailedException"
      )
        throw err;
      const stored = (err as ConditionalCheckFailedException).Item?.order?.S;
      if (stored === undefined) {
        const current = await this.get(item.view, item.key);
        return current?.order === item.order ? "unchanged" : "older";
      }
      return stored === item.order ? "unchanged" : "older";
    }
  }

  async putAll(items: readonly OnlineItem[]): Promise<PutOutcome[]> {
    return mapLimit(items, WRITE_CONCURRENCY, (item) => this.putIfNewer(item));
  }

  async get(view: string, key: string): Promise<OnlineItem | undefined> {
    const got = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: this.pk(view, key) } },
        ConsistentRead: true,
      }),
    );
    const text = got.Item?.item?.S;
    return text ? (JSON.parse(text) as OnlineItem) : undefined;
  }

  async scan(view: string): Promise<OnlineItem[]> {
    const out: OnlineItem[] = [];
    let start: Record<string, import("@aws-sdk/client-dynamodb").AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "#view = :view",
          ExpressionAttributeNames: { "#view": "view" },
          ExpressionAttributeValues: { ":view": { S: view } },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const i of page.Items ?? []) if (i.item?.S) out.push(JSON.parse(i.item.S) as OnlineItem);
      start = page.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
