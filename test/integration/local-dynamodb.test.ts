import { access, chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchExecuteStatementCommand,
  CreateTableCommand,
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import { chooseDynamoDb } from '../../src/local/choose-dynamodb.ts';
import { DYNALITE_PARTIQL_MESSAGE } from '../../src/local/dynalite-partiql.ts';
import { checkJava } from '../../src/local/java.ts';
import { summarize } from '../../src/local/sample-run.ts';
import { startLocalServers } from '../../src/local/servers.ts';
import { startLocalStack } from '../../src/local/stack.ts';

const temporary: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csv2ddb-local-ddb-'));
  temporary.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

/** A `java` that prints what a given Java prints for -version. */
const fakeJava = async (versionLine: string) => {
  const path = join(await tempDir(), 'java');
  await writeFile(path, `#!/bin/sh\necho '${versionLine}' >&2\n`);
  await chmod(path, 0o755);
  return path;
};

describe('chooseDynamoDb()', () => {
  const saved = process.env.JAVA;
  beforeEach(() => {
    delete process.env.JAVA;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.JAVA;
    else process.env.JAVA = saved;
  });

  it('falls back to dynalite, saying why, with Java 11', async () => {
    process.env.JAVA = await fakeJava('openjdk version "11.0.2" 2019-01-15');
    const choice = await chooseDynamoDb('auto');
    expect(choice.server).toBe('dynalite');
    expect(choice.summary).toMatch(
      /^dynalite \(no Java 17\+: .*java is Java 11\.0\.2\): write modes put and delete only/,
    );
  });

  it('falls back to dynalite when there is no java at all', async () => {
    process.env.JAVA = join(await tempDir(), 'no-such-java');
    const choice = await chooseDynamoDb('auto');
    expect(choice).toMatchObject({ server: 'dynalite', summary: expect.stringContaining('not found') });
  });

  it('refuses dynamodb-local when asked for it without Java 17+', async () => {
    process.env.JAVA = await fakeJava('java version "1.8.0_402"');
    await expect(chooseDynamoDb('dynamodb-local')).rejects.toThrow(
      /DynamoDB Local needs Java 17 or later: .*java is Java 1\.8\.0_402/,
    );
  });

  it('takes DynamoDB Local with Java 17 or later', async () => {
    process.env.JAVA = await fakeJava('openjdk version "21.0.1" 2023-10-17');
    expect(await chooseDynamoDb('auto')).toEqual({
      server: 'dynamodb-local',
      summary: 'DynamoDB Local (Java 21.0.1): every write mode',
    });
  });
});

describe('dynalite in the local stack', () => {
  it('answers PartiQL calls saying that Java 17+ is needed, and everything else as before', async () => {
    const servers = await startLocalServers({ dynamodb: 'dynalite' });
    try {
      const { dynamodb } = servers;
      await dynamodb.send(
        new CreateTableCommand({
          TableName: 'partiql',
          AttributeDefinitions: [{ AttributeName: 'ID', AttributeType: 'N' }],
          KeySchema: [{ AttributeName: 'ID', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const send = (command: BatchExecuteStatementCommand | ExecuteStatementCommand) =>
        dynamodb.send(command as BatchExecuteStatementCommand);
      const fails = (message: string) => ({
        name: 'UnknownOperationException',
        message,
        $metadata: { httpStatusCode: 400 },
      });
      const update = 'UPDATE "partiql" SET "v" = ? WHERE "ID" = ? AND "v" < ?';
      await expect(
        send(
          new BatchExecuteStatementCommand({ Statements: [{ Statement: update }, { Statement: update }] }),
        ),
      ).rejects.toMatchObject(
        fails(
          'BatchExecuteStatement: write mode upsert, put:newer or upsert:newer (a PartiQL UPDATE) needs DynamoDB Local, ' +
            'which needs Java 17 or later: this local stack runs dynalite, which has no PartiQL. ' +
            'Install Java 17+ (java on the PATH, or JAVA=/path/to/java) and restart npm start',
        ),
      );
      await expect(
        send(
          new BatchExecuteStatementCommand({
            Statements: [{ Statement: 'insert into "partiql" value {\'ID\': ?}' }],
          }),
        ),
      ).rejects.toMatchObject(
        fails(
          `BatchExecuteStatement: write mode put:absent or upsert:absent (a PartiQL INSERT) ${DYNALITE_PARTIQL_MESSAGE}`,
        ),
      );
      await expect(
        send(
          new BatchExecuteStatementCommand({
            Statements: [{ Statement: 'DELETE FROM "partiql" WHERE "ID" = ?' }],
          }),
        ),
      ).rejects.toMatchObject(
        fails(
          `BatchExecuteStatement: write mode delete:newer (a PartiQL DELETE) ${DYNALITE_PARTIQL_MESSAGE}`,
        ),
      );
      await expect(
        send(new ExecuteStatementCommand({ Statement: 'SELECT * FROM "partiql"' })),
      ).rejects.toMatchObject(
        fails(
          `ExecuteStatement: PartiQL (write modes upsert, :absent and :newer) ${DYNALITE_PARTIQL_MESSAGE}`,
        ),
      );

      await dynamodb.send(new PutItemCommand({ TableName: 'partiql', Item: { ID: { N: '1' } } }));
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: 'partiql', Key: { ID: { N: '1' } } }),
      );
      expect(Item).toEqual({ ID: { N: '1' } });
    } finally {
      await servers.close();
    }
  });
});

const java = await checkJava();

describe.skipIf(!java.ok)('startLocalStack() with Java 17+ (DynamoDB Local)', () => {
  it('picks DynamoDB Local, writes a file by put, and keeps the table across a restart', async () => {
    const infraDir = await tempDir();
    await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(infraDir, 'variables.tf'));
    await writeFile(
      join(infraDir, 'terraform.tfvars'),
      `region = "eu-west-1"
project = "modes"
table = {
  name         = "modes-items"
  hash_key     = { name = "ID", type = "N" }
  billing_mode = "PAY_PER_REQUEST"
}
`,
    );
    const dataDir = await tempDir();
    const get = (stack: Awaited<ReturnType<typeof startLocalStack>>, id: string) =>
      stack.servers.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: { ID: { N: id } } }));

    let stack = await startLocalStack({ infraDir, dataDir });
    try {
      expect(stack.dynamodb.server).toBe('dynamodb-local');
      expect(stack.dynamodb.summary).toBe(
        `DynamoDB Local (Java ${java.ok && java.version}): every write mode`,
      );
      expect(stack.writeModes).toEqual(['put']);
      // PartiQL answers: this is DynamoDB Local, not dynalite.
      const { Items } = await stack.servers.dynamodb.send(
        new ExecuteStatementCommand({ Statement: `SELECT * FROM "${stack.tableName}"` }),
      );
      expect(Items).toEqual([]);

      const reported = stack.nextReport('incoming/put.csv');
      await stack.upload('incoming/put.csv', 'ID,Name,Size\n1,alpha,10\n2,beta,\n');
      expect(await reported).toMatchObject({ status: 'succeeded', rowsRead: 2, rowsWritten: 2 });
      expect((await get(stack, '1')).Item).toEqual({
        ID: { N: '1' },
        Name: { S: 'alpha' },
        Size: { N: '10' },
      });
      expect((await get(stack, '2')).Item).toEqual({ ID: { N: '2' }, Name: { S: 'beta' } });
    } finally {
      await stack.close();
    }
    await access(join(dataDir, 'dynamodb-local'));

    // Again, with a schema that upserts and deletes by an op column: the modes PartiQL carries.
    const schemaFile = join(infraDir, 'sync.json');
    await writeFile(schemaFile, '{"write":{"mode":"upsert","op":"_op"}}');
    stack = await startLocalStack({ infraDir, dataDir, schemaFile });
    try {
      expect((await get(stack, '1')).Item?.Name).toEqual({ S: 'alpha' });
      expect(stack.writeModes).toEqual(['delete', 'put', 'upsert']);
      const reported = stack.nextReport('incoming/sync.csv');
      await stack.upload('incoming/sync.csv', 'ID,Size,_op\n1,11,upsert\n2,,delete\n');
      const report = await reported;
      expect(report).toMatchObject({ status: 'succeeded', rowsRead: 2, rowsWritten: 1, rowsDeleted: 1 });
      expect(summarize(report)).toMatch(/^succeeded: 2 rows read, 1 written, 1 deleted, 0 rejected \(/);
      expect((await get(stack, '1')).Item).toEqual({
        ID: { N: '1' },
        Name: { S: 'alpha' },
        Size: { N: '11' },
      });
      expect((await get(stack, '2')).Item).toBeUndefined();
    } finally {
      await stack.close();
    }
  }, 120_000);
});
