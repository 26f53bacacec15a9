import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBRecord, AttributeValue as LambdaAttributeValue } from "aws-lambda";

/**
 * Reads a table's stream from DynamoDB Local the way a Lambda event source mapping does, and hands
 * the records over in Lambda's event shape. It starts at the end of the stream when created, so a
 * run sees only the changes it made.
 */
export class LocalStreamReader {
  private readonly iterators = new Map<string, string | undefined>();
  private streamArn = "";

  private constructor(private readonly streams: DynamoDBStreamsClient) {}

  static async open(client: DynamoDBClient, endpoint: string, tableName: string): Promise<LocalStreamReader> {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn)
      throw new Error(`Table ${tableName} has no stream; create it from the shared definition`);
    const streams = new DynamoDBStreamsClient({
      endpoint,
      region: await client.config.region(),
      credentials: client.config.credentials,
    });
    const reader = new LocalStreamReader(streams);
    reader.streamArn = Table.LatestStreamArn;
    for (const shardId of await reader.shardIds()) {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: reader.streamArn,
          ShardId: shardId,
          ShardIteratorType: "LATEST",
        }),
      );
      reader.iterators.set(shardId, ShardIterator);
    }
    return reader;
  }

  private async shardIds(): Promise<string[]> {
    const ids: string[] = [];
    let lastShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: lastShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) if (shard.ShardId) ids.push(shard.ShardId);
      lastShardId = StreamDescription?.LastEvaluatedShardId;
    } while (lastShardId);
    return ids;
  }

  /** Returns every record written since the last call, in stream order per shard. */
  async readNew(): Promise<DynamoDBRecord[]> {
    for (const shardId of await this.shardIds()) {
      if (this.iterators.has(shardId)) continue;
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({
          StreamArn: this.streamArn,
          ShardId: shardId,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      this.iterators.set(shardId, ShardIterator);
    }

    const records: DynamoDBRecord[] = [];
    for (const [shardId, start] of this.iterators) {
      let iterator = start;
      while (iterator) {
        const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const record of page.Records ?? []) records.push(this.toLambdaRecord(record));
        const next = page.NextShardIterator;
        if ((page.Records ?? []).length === 0) {
          iterator = next;
          break;
        }
        iterator = next;
      }
      this.iterators.set(shardId, iterator);
    }
    return records;
  }

  private toLambdaRecord(record: StreamRecord): DynamoDBRecord {
    const change = record.dynamodb;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion,
      eventSource: "aws:dynamodb",
      awsRegion: record.awsRegion,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ...(change?.ApproximateCreationDateTime && {
          ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000),
        }),
        Keys: change?.Keys as Record<string, LambdaAttributeValue> | undefined,
        NewImage: change?.NewImage as Record<string, LambdaAttributeValue> | undefined,
        SequenceNumber: change?.SequenceNumber,
        SizeBytes: change?.SizeBytes,
        StreamViewType: change?.StreamViewType,
      },
    } as DynamoDBRecord;
  }

  close(): void {
    this.streams.destroy();
  }
}
