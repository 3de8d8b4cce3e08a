import { spawn } from 'node:child_process';
import { access, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DescribeTableCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import { type LambdaEmulator, startLambdaEmulator } from '../../src/local/lambda-emulator.ts';
import { LOCAL_CREDENTIALS } from '../../src/local/servers.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import { readInfraConfig } from '../../src/local/tfvars.ts';
import { sampleCsv } from '../support/sample-csv.ts';
import { TEST_DYNAMODB } from '../support/servers.ts';

const SAMPLE = join(PROJECT_ROOT, 'examples/ec2-instances.csv');
const temporary: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'csv2ddb-local-'));
  temporary.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

/** An infra/ folder with the real variables.tf and a tfvars of our own. */
const infraWith = async (tfvars: string, files: Record<string, string> = {}) => {
  const dir = await tempDir();
  await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(dir, 'variables.tf'));
  await writeFile(join(dir, 'terraform.tfvars'), tfvars);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
};

const describeCapacity = async (stack: LocalStack) =>
  (await stack.servers.dynamodb.send(new DescribeTableCommand({ TableName: stack.tableName }))).Table
    ?.ProvisionedThroughput?.WriteCapacityUnits;

const MINIMAL_TFVARS = `
region  = "eu-west-1"
project = "demo"
table = {
  name           = "demo-items"
  hash_key       = { name = "ID", type = "N" }
  range_key      = { name = "Name", type = "S" }
  billing_mode   = "PAY_PER_REQUEST"
  read_capacity  = 1
  write_capacity = 1
}
`;

describe('readInfraConfig()', () => {
  it('reads tfvars over the defaults of variables.tf', async () => {
    const config = await readInfraConfig(await infraWith(`${MINIMAL_TFVARS}\ntype_mode = "string"\n`));
    expect(config).toMatchObject({
      bucket: 'demo-source',
      functionName: 'demo-ingest',
      table: {
        name: 'demo-items',
        partition: { name: 'ID', type: 'N' },
        sort: { name: 'Name', type: 'S' },
        billingMode: 'PAY_PER_REQUEST',
      },
      typeMode: 'string',
      prefixes: { upload: 'incoming/', report: 'reports/', rejected: 'rejected/' },
      continuationMarginMs: 60_000,
      lambdaTimeoutMs: 900_000,
    });
    expect(config.schema).toBeUndefined();
  });

  it.each([
    ['a bad value', 'type_mode = "numbers"', /terraform\.tfvars: type_mode must be "infer" or "string"/],
    ['an expression', `upload_prefix = "\${var.x}/"`, /upload_prefix is an expression/],
    ['broken HCL', 'table = {', /is not valid HCL/],
  ])('names the variable and the file for %s', async (_case, line, message) => {
    await expect(readInfraConfig(await infraWith(`${MINIMAL_TFVARS}\n${line}\n`))).rejects.toThrow(message);
  });

  it('refuses a tfvars without the required table', async () => {
    await expect(
      readInfraConfig(await infraWith('region = "eu-west-1"\nproject = "demo"\n')),
    ).rejects.toThrow(/table .*expected object/);
  });
});

describe('startLambdaEmulator()', () => {
  let emulator: LambdaEmulator | undefined;
  const lambdaClient = (endpoint: string) =>
    new LambdaClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('returns what the handler returns for a RequestResponse invocation', async () => {
    emulator = await startLambdaEmulator({
      functionName: 'fn',
      handler: async (event, context) => ({ event, left: context.getRemainingTimeInMillis() }),
      timeoutMs: 5_000,
    });
    const response = await lambdaClient(emulator.endpoint).send(
      new InvokeCommand({ FunctionName: 'fn', Payload: JSON.stringify({ a: 1 }) }),
    );
    const result = JSON.parse(Buffer.from(response.Payload ?? []).toString());
    expect(response.StatusCode).toBe(200);
    expect(result.event).toEqual({ a: 1 });
    expect(result.left).toBeGreaterThan(4_000);
    expect(result.left).toBeLessThanOrEqual(5_000);
  });

  it('reports a thrown error as an Unhandled function error', async () => {
    emulator = await startLambdaEmulator({
      functionName: 'fn',
      handler: async () => {
        throw new TypeError('boom');
      },
    });
    const response = await lambdaClient(emulator.endpoint).send(new InvokeCommand({ FunctionName: 'fn' }));
    expect(response.FunctionError).toBe('Unhandled');
    expect(JSON.parse(Buffer.from(response.Payload ?? []).toString())).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'boom',
    });
  });

  it('accepts an Event with 202, and idle() waits for it and for the invocations it starts', async () => {
    const seen: unknown[] = [];
    let client: LambdaClient | undefined;
    emulator = await startLambdaEmulator({
      functionName: 'fn',
      handler: async (event) => {
        const { step } = event as { step: number };
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen.push(step);
        if (step < 3) {
          await client?.send(
            new InvokeCommand({
              FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
              InvocationType: 'Event',
              Payload: JSON.stringify({ step: step + 1 }),
            }),
          );
        }
      },
    });
    client = lambdaClient(emulator.endpoint);
    const response = await client.send(
      new InvokeCommand({
        FunctionName: 'fn',
        InvocationType: 'Event',
        Payload: JSON.stringify({ step: 1 }),
      }),
    );
    expect(response.StatusCode).toBe(202);
    expect(seen).toEqual([]);
    await emulator.idle();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('retries a failed event up to maxRetryAttempts, then drops it', async () => {
    const outcomes: { attempt: number; dropped: boolean }[] = [];
    emulator = await startLambdaEmulator({
      functionName: 'fn',
      handler: async () => {
        throw new Error('S3 is down');
      },
      maxRetryAttempts: 2,
      retryDelayMs: 10,
      onInvocation: ({ attempt, dropped }) => outcomes.push({ attempt, dropped }),
    });
    emulator.invokeAsync({});
    await emulator.idle();
    expect(outcomes).toEqual([
      { attempt: 1, dropped: false },
      { attempt: 2, dropped: false },
      { attempt: 3, dropped: true },
    ]);
  });

  it.each([
    ['another function', 'other', '{}', 'ResourceNotFoundException'],
    [
      'an event over 256 KB',
      'fn',
      JSON.stringify({ pad: 'x'.repeat(300_000) }),
      'RequestEntityTooLargeException',
    ],
  ])('refuses %s', async (_case, name, payload, error) => {
    emulator = await startLambdaEmulator({ functionName: 'fn', handler: async () => null });
    await expect(
      lambdaClient(emulator.endpoint).send(
        new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: payload }),
      ),
    ).rejects.toMatchObject({ name: error });
  });
});

describe('startLocalStack() with infra/terraform.tfvars', () => {
  let stack: LocalStack;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await tempDir();
    stack = await startLocalStack({ dataDir, dynamodb: TEST_DYNAMODB });
  });
  afterAll(() => stack?.close());

  const text = async (key: string) => {
    const response = await stack.servers.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    return response.Body?.transformToString('utf-8');
  };

  it('turns the sample into items, a partial report and a rejected-rows file', async () => {
    const reported = stack.nextReport('incoming/ec2-instances.csv');
    await stack.upload('incoming/ec2-instances.csv', await readFile(SAMPLE));
    const report = await reported;
    expect(report).toMatchObject({ status: 'partial', rowsRead: 60, rowsWritten: 57, rowsRejected: 3 });
    expect(report.errors.map((error) => error.row)).toEqual([10, 24, 41]);

    const rejected = parse((await text('rejected/ec2-instances.csv')) ?? '', { relax_column_count: true });
    expect(rejected[0]).toEqual([
      '_row',
      '_error',
      'ID',
      'Instance ID',
      'Instance Type',
      'vCPUs',
      'Memory GiB',
      'Zip',
      'Tags',
      'Specs',
      'Notes',
      'Region',
    ]);
    expect(rejected.slice(1).map((record: string[]) => record[0])).toEqual(['10', '24', '41']);
    expect(await readFile(stack.objectPath('rejected/ec2-instances.csv'), 'utf8')).toBe(
      await text('rejected/ec2-instances.csv'),
    );

    const get = (id: string) =>
      stack.servers.dynamodb.send(new GetItemCommand({ TableName: stack.tableName, Key: { ID: { N: id } } }));
    expect((await get('12345678901234567890')).Item?.ID).toEqual({ N: '12345678901234567890' });
    expect((await get('1')).Item).toMatchObject({ Zip: { S: '02134' }, vCPUs: { N: '2' } });
  });

  it('fails a file whose header lacks the key column, and says so in its report', async () => {
    const reported = stack.nextReport('incoming/no-key.csv');
    await stack.upload('incoming/no-key.csv', 'Name,Size\nalpha,1\n');
    expect(await reported).toMatchObject({
      status: 'failed',
      errors: [{ code: 'CSV_MISSING_KEY_COLUMN', message: expect.stringContaining('"ID"') }],
    });
  });

  it.each(['incoming/notes.txt', 'elsewhere/data.csv', 'reports/fake.csv'])(
    'does not invoke the function for %s',
    async (key) => {
      await stack.upload(key, 'ID\n1\n');
      await stack.lambda.idle();
      const rest = key.slice(key.indexOf('/') + 1);
      await expect(
        stack.servers.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: `reports/${rest}.json` })),
      ).rejects.toMatchObject({ name: 'NotFound' });
    },
  );

  it('creates the ledger table and gives the function LEDGER_TABLE', async () => {
    expect(stack.ledgerTable).toBe(`${stack.config.project}-ledger`);
    expect(stack.functionEnv.LEDGER_TABLE).toBe(stack.ledgerTable);
    const { Table } = await stack.servers.dynamodb.send(
      new DescribeTableCommand({ TableName: stack.ledgerTable }),
    );
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'pk', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it.each([
    ['climbs out of the data folder', `incoming/../../../../d1-escape-${process.pid}.csv`],
    ['aliases another key', 'incoming/../incoming/victim.csv'],
    ['has a "." segment', 'incoming/./victim.csv'],
    ['has an empty segment', 'incoming//victim.csv'],
  ])('refuses an upload whose key %s, and writes nothing on disk for it', async (_case, key) => {
    await stack.upload('incoming/victim.csv', 'ID,Name\n7,original\n');
    await stack.lambda.idle();
    await expect(stack.upload(key, 'ID\n1\n')).rejects.toMatchObject({ name: 'InvalidArgument' });
    await stack.lambda.idle();
    // Where s3rver would have put it (path.join resolves the segments): outside, or over the victim.
    const onDisk = resolve(
      stack.servers.s3Directory,
      stack.bucket,
      dirname(key),
      `${basename(key)}._S3rver_object`,
    );
    if (onDisk === stack.objectPath('incoming/victim.csv')) {
      expect(await readFile(onDisk, 'utf8')).toBe('ID,Name\n7,original\n');
    } else {
      await expect(access(onDisk)).rejects.toMatchObject({ code: 'ENOENT' });
    }
    expect(await text('incoming/victim.csv')).toBe('ID,Name\n7,original\n');
  });

  it('keeps its data folder to itself while it runs', async () => {
    await expect(startLocalStack({ dataDir, dynamodb: TEST_DYNAMODB })).rejects.toThrow(
      /in use by another local stack/,
    );
  });

  it('keeps objects and items across a restart; reset clears them', async () => {
    await stack.close();
    stack = await startLocalStack({ dataDir, dynamodb: TEST_DYNAMODB });
    const count = async () =>
      (await stack.servers.dynamodb.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' })))
        .Count;
    expect(await count()).toBe(57);
    expect(await text('reports/ec2-instances.csv.json')).toContain('"partial"');
    await stack.close();
    stack = await startLocalStack({ dataDir, reset: true, dynamodb: TEST_DYNAMODB });
    expect(await count()).toBe(0);
  });
});

describe('startLocalStack() after a change of billing_mode in tfvars', () => {
  it('refuses the table kept from before, and says to start with --reset', async () => {
    const dataDir = await tempDir();
    const onDemand = await infraWith(MINIMAL_TFVARS);
    const provisioned = await infraWith(
      MINIMAL_TFVARS.replace('"PAY_PER_REQUEST"', '"PROVISIONED"').replace(
        'write_capacity = 1',
        'write_capacity = 5',
      ),
    );
    const first = await startLocalStack({ dataDir, infraDir: onDemand, dynamodb: TEST_DYNAMODB });
    await first.close();
    await expect(
      startLocalStack({ dataDir, infraDir: provisioned, dynamodb: TEST_DYNAMODB }),
    ).rejects.toThrow(
      'the local table demo-items is on demand (PAY_PER_REQUEST), infra/terraform.tfvars says provisioned at 5 WCU: start with --reset to recreate it',
    );
    const reset = await startLocalStack({
      dataDir,
      infraDir: provisioned,
      reset: true,
      dynamodb: TEST_DYNAMODB,
    });
    expect(await describeCapacity(reset)).toBe(5);
    await reset.close();
  });
});

describe('startLocalStack() with continuations and a schema', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    const infra = await infraWith(
      `${MINIMAL_TFVARS.replace(/range_key .*\n/, '')}
lambda_timeout_s       = 6
continuation_margin_ms = 4500
ledger_enabled         = false
schema_file            = "schema.json"
`,
      { 'schema.json': '{"columns":{"Name":{"name":"name"}}}' },
    );
    stack = await startLocalStack({ infraDir: infra, dynamodb: TEST_DYNAMODB });
  });
  afterAll(() => stack?.close());

  it('creates no ledger table and sets no LEDGER_TABLE when tfvars disables the ledger', () => {
    expect(stack.ledgerTable).toBeUndefined();
    expect(stack.functionEnv.LEDGER_TABLE).toBeUndefined();
  });

  it('continues a file in new invocations through the Lambda API until its report', async () => {
    // A first file warms a container up (table and schema read); a continuation may still land on a
    // cold one (the first is busy handing over), as on Lambda: 1.5 s before the margin covers its start.
    const warm = stack.nextReport('incoming/warm.csv');
    await stack.upload('incoming/warm.csv', 'ID,Name\n1,warm\n');
    expect(await warm).toMatchObject({ status: 'succeeded' });
    const { text, bad, distinct } = sampleCsv(40_000);
    const reported = stack.nextReport('incoming/big.csv', 60_000);
    await stack.upload('incoming/big.csv', text);
    const report = await reported;
    expect(report).toMatchObject({ status: 'partial', rowsRead: 40_000, rowsRejected: bad });
    expect(report.invocations).toBeGreaterThan(1);
    // A Scan counts 1 MB at a time: page through the table.
    let count = 0;
    let start: Record<string, never> | undefined;
    do {
      const page = await stack.servers.dynamodb.send(
        new ScanCommand({
          TableName: stack.tableName,
          Select: 'COUNT',
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (start);
    expect(count).toBe(distinct);
    const { Item } = await stack.servers.dynamodb.send(
      new GetItemCommand({ TableName: stack.tableName, Key: { ID: { N: '1' } } }),
    );
    expect(Item?.name).toEqual({ S: 'name 1' });
  });
});

/** Runs a command without blocking this process, and collects what it printed. */
const run = (command: string, args: string[], cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });

/** A server on a free port, standing for another program that holds it. */
const holdPort = async (): Promise<{ port: number; server: Server }> => {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { port: (server.address() as { port: number }).port, server };
};

describe('npm start', () => {
  it('says to pick other ports when --watch finds one taken, instead of crashing', async () => {
    const { port, server } = await holdPort();
    try {
      const dataDir = await tempDir();
      const { code, stderr } = await run(
        'npm',
        [
          'start',
          '--',
          '--watch',
          '--data-dir',
          dataDir,
          '--s3-port',
          String(port),
          '--lambda-port',
          '0',
          '--dynamodb-port',
          '0',
        ],
        PROJECT_ROOT,
      );
      expect(stderr).toContain(`npm start: port ${port} is in use`);
      expect(stderr).toContain('Pick other ports');
      expect(stderr).not.toContain('Unhandled');
      expect(code).toBe(1);
    } finally {
      server.close();
    }
  }, 120_000);

  it('uploads the sample, prints the outcome and exits 0', async () => {
    const dataDir = await tempDir();
    const { code, stdout, stderr } = await run('npm', ['start', '--', '--data-dir', dataDir], PROJECT_ROOT);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(stdout).toContain('partial: 60 rows read, 57 written, 3 rejected');
    expect(stdout).toContain('s3://csv2ddb-source/rejected/ec2-instances.csv');
    expect(stdout).toContain(
      join(dataDir, 's3/csv2ddb-source/reports/ec2-instances.csv.json._S3rver_object'),
    );
    expect(stdout).toMatch(/\{"ID":\d+,"InstanceId":"i-0/);
    // DynamoDB Local with Java 17+, dynalite without: each keeps its tables in a folder of its own.
    const [, engine] = /^DynamoDB: (DynamoDB Local|dynalite) /m.exec(stdout) ?? [];
    expect(engine).toBeDefined();
    await access(join(dataDir, engine === 'dynalite' ? 'dynamodb' : 'dynamodb-local'));
  }, 120_000);

  it('exits 1 with a clear message for a bad port', async () => {
    const { code, stderr } = await run('npm', ['start', '--', '--s3-port', 'abc'], PROJECT_ROOT);
    expect(code).toBe(1);
    expect(stderr).toContain('--s3-port must be a port number');
  });
});
