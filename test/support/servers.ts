import { DeleteTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  DYNAMODB_SERVERS,
  type DynamoDbServer,
  type LocalServerOptions,
  type LocalServers,
  startLocalServers,
} from '../../src/local/servers.ts';
import { sharedDynamoDbLocal } from './shared-dynamodb.ts';

/**
 * The one switch for the DynamoDB behind every integration test: `CSV2DDB_TEST_DYNAMODB=dynalite`
 * (the default; fast, in this process) or `dynamodb-local` (Amazon's DynamoDB Local, which refuses
 * what DynamoDB refuses). See docs/testing.md.
 */
export const TEST_DYNAMODB: DynamoDbServer = (() => {
  const chosen = process.env.CSV2DDB_TEST_DYNAMODB || 'dynalite';
  if (!(DYNAMODB_SERVERS as readonly string[]).includes(chosen)) {
    throw new Error(`CSV2DDB_TEST_DYNAMODB must be one of ${DYNAMODB_SERVERS.join(', ')} (got "${chosen}")`);
  }
  return chosen as DynamoDbServer;
})();

const dropTables = async (dynamodb: DynamoDBClient): Promise<void> => {
  let start: string | undefined;
  const names: string[] = [];
  do {
    const page = await dynamodb.send(
      new ListTablesCommand({ ...(start && { ExclusiveStartTableName: start }) }),
    );
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  for (const name of names) await dynamodb.send(new DeleteTableCommand({ TableName: name }));
};

/** `startLocalServers` with the DynamoDB that CSV2DDB_TEST_DYNAMODB chose. */
export const startTestServers = async (options: LocalServerOptions = {}): Promise<LocalServers> => {
  if (TEST_DYNAMODB === 'dynalite') return startLocalServers({ ...options, dynamodb: 'dynalite' });
  const { endpoint } = await sharedDynamoDbLocal();
  const servers = await startLocalServers({ ...options, dynamodbEndpoint: endpoint });
  return {
    ...servers,
    async close() {
      // The next suite of this file starts from no tables, as it would on a fresh dynalite.
      await dropTables(servers.dynamodb);
      await servers.close();
    },
  };
};
