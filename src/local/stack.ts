import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ConfigError } from '../core/errors.ts';
import { reportKeyFor } from '../core/object-key.ts';
import type { Report } from '../core/report.ts';
import { s3Event } from '../core/s3-event.ts';
import { builtHandlerPath, PROJECT_ROOT } from './built-handler.ts';
import { chooseDynamoDb, type DynamoDbChoice, type DynamoDbWanted } from './choose-dynamodb.ts';
import { lockDataDir } from './data-lock.ts';
import { type InvocationOutcome, type LambdaEmulator, startLambdaEmulator } from './lambda-emulator.ts';
import { ensureDatasetTables, ensureLedgerTable, ensureTable } from './local-table.ts';
import { findPortInUse } from './ports.ts';
import { refuseUnsafeKeys, unsafeKeyReason } from './safe-keys.ts';
import { uploadSchemas, withSchemaFile } from './schema-objects.ts';
import { createSequencer, withSequencer } from './sequencer.ts';
import { LOCAL_REGION, type LocalServers, startLocalServers } from './servers.ts';
import { type InfraConfig, readInfraConfig } from './tfvars.ts';

export type LocalStackOptions = {
  /** Keeps objects and tables here across restarts; a temporary folder (removed on close) when unset. */
  readonly dataDir?: string;
  /** Empties `dataDir` first. */
  readonly reset?: boolean;
  /** 0 (the default) picks free ports. */
  readonly ports?: { readonly s3?: number; readonly dynamodb?: number; readonly lambda?: number };
  readonly infraDir?: string;
  /** A column schema file used instead of tfvars' `schema_file` (uploaded to tfvars' `schema_key`). */
  readonly schemaFile?: string;
  /** Which DynamoDB: `auto` (the default) runs DynamoDB Local when Java 17+ is there, dynalite otherwise. */
  readonly dynamodb?: DynamoDbWanted;
  /** The function's LOG_LEVEL (Powertools); WARN keeps the console to failures. */
  readonly logLevel?: string;
  readonly retryDelayMs?: number;
  /** How many invocations run at once (Lambda's concurrency); 10 unless set. */
  readonly concurrency?: number;
  /** A line for the user about something the stack refused or skipped; console.warn unless set. */
  readonly onWarning?: (line: string) => void;
  readonly onBuild?: () => void;
  readonly onReport?: (report: Report, reportKey: string) => void;
  /** An object created in the bucket that S3 would not notify (nor is the pipeline's own output), and why. */
  readonly onSkip?: (key: string, reason: string) => void;
  readonly onInvocation?: (outcome: InvocationOutcome) => void;
};

export type LocalStack = {
  readonly config: InfraConfig;
  readonly bucket: string;
  readonly tableName: string;
  /** The tables of tfvars' `datasets` (DATASETS), one per dataset; empty without datasets. */
  readonly datasetTables: readonly string[];
  /** The ledger table the function is given as LEDGER_TABLE, unless tfvars disables it. */
  readonly ledgerTable?: string;
  readonly servers: LocalServers;
  /** The DynamoDB it runs, and a line saying which and what that means for the write modes. */
  readonly dynamodb: DynamoDbChoice;
  /** tfvars' write_modes and those schema_file asks for, as infra/write_modes.tf grants them. */
  readonly writeModes: readonly string[];
  readonly lambda: LambdaEmulator;
  /** The function's environment variables, as its containers get them. */
  readonly functionEnv: Record<string, string>;
  /** Endpoints, credentials and settings that point the AWS CLI or any SDK at this stack. */
  readonly env: Record<string, string>;
  readonly dataDir?: string;
  upload(key: string, body: string | Uint8Array): Promise<void>;
  /** Resolves with the next report written for the object `key` (under the upload prefix). */
  nextReport(key: string, timeoutMs?: number): Promise<Report>;
  /** Where s3rver keeps an object's bytes on disk. */
  objectPath(key: string): string;
  close(): Promise<void>;
};

const SUFFIXES = ['.csv', '.csv.gz', '.tsv', '.tsv.gz'];

/** Why S3's notification (prefix and suffix filters, case-sensitive) leaves a created object out. */
const skipReason = (key: string, upload: string): string =>
  key.startsWith(upload)
    ? `suffix: not ${SUFFIXES.slice(0, -1).join(', ')} or ${SUFFIXES.at(-1)} (the notification's filter is case-sensitive)`
    : `prefix: not under ${upload}`;

type S3rverRecord = {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
};

/**
 * The whole pipeline on this machine: s3rver, a DynamoDB (DynamoDB Local with Java 17+, else
 * dynalite) and a local Lambda running the built handler, configured from infra/terraform.tfvars,
 * with S3's notifications wired like the s3_notification module wires them.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  // Looking for Java takes a few hundred milliseconds: meanwhile, read the configuration.
  const choosing = chooseDynamoDb(options.dynamodb);
  choosing.catch(() => undefined);
  const config = withSchemaFile(
    await readInfraConfig(options.infraDir ?? join(PROJECT_ROOT, 'infra')),
    options.schemaFile,
  );
  const { dataDir } = options;
  if (dataDir && options.reset) await rm(dataDir, { recursive: true, force: true });
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const warn = options.onWarning ?? ((line: string) => console.warn(line));
  const unlock = dataDir ? await lockDataDir(dataDir) : undefined;
  const ports = options.ports ?? {};
  const taken = await findPortInUse([ports.s3 ?? 0, ports.dynamodb ?? 0, ports.lambda ?? 0]);
  if (taken !== undefined) {
    await unlock?.();
    throw new ConfigError(
      `port ${taken} is in use: is another local stack running? Pick other ports (--s3-port, --dynamodb-port, --lambda-port)`,
    );
  }
  // A stale handler is rebuilt while the servers start (DynamoDB Local's JVM takes seconds).
  const building = builtHandlerPath({ ...(options.onBuild && { onBuild: options.onBuild }) });
  building.catch(() => undefined);
  const dynamodb = await choosing.catch(async (error: unknown) => {
    await unlock?.();
    throw error;
  });
  // Each keeps its tables in its own format, so each in its own folder.
  const dynamodbFolder = dynamodb.server === 'dynalite' ? 'dynamodb' : 'dynamodb-local';
  const servers = await startLocalServers({
    buckets: [config.bucket],
    dynamodb: dynamodb.server,
    ...(dataDir && { directory: join(dataDir, 's3'), dynamodbPath: join(dataDir, dynamodbFolder) }),
    ...(options.ports?.s3 !== undefined && { s3Port: options.ports.s3 }),
    ...(options.ports?.dynamodb !== undefined && { dynamodbPort: options.ports.dynamodb }),
  }).catch(async (error: NodeJS.ErrnoException) => {
    await unlock?.();
    if (error.code !== 'EADDRINUSE') throw error;
    throw new ConfigError(
      `${error.message}: is another local stack running? Pick other ports (--s3-port, …)`,
    );
  });
  const cleanup: (() => Promise<void> | void)[] = [...(unlock ? [unlock] : []), () => servers.close()];
  let closed: Promise<void> | undefined;
  const closeAll = () => {
    closed ??= (async () => {
      for (const step of [...cleanup].reverse()) await step();
    })();
    return closed;
  };
  try {
    refuseUnsafeKeys(servers.s3rver, (key, reason) =>
      warn(`refused s3://${config.bucket}/${key}: the local stack refuses keys with ${reason}`),
    );
    await ensureTable(servers.dynamodb, config.table);
    // The ledger table, when tfvars enables it (`ledger_enabled`, true unless set), as Terraform creates it.
    const ledgerTable = config.ledger?.name;
    if (ledgerTable) await ensureLedgerTable(servers.dynamodb, ledgerTable);
    const datasetTables = await ensureDatasetTables(servers.dynamodb, config, warn);
    const writeModes = await uploadSchemas(servers.s3, config);

    const code = await building;
    // The function's environment, as infra/main.tf sets it (the endpoints and keys point at this stack).
    const functionEnv: Record<string, string> = {
      ...servers.env,
      TABLE_NAME: config.table.name,
      SOURCE_BUCKET: config.bucket,
      UPLOAD_PREFIX: config.prefixes.upload,
      REPORT_PREFIX: config.prefixes.report,
      REJECTED_PREFIX: config.prefixes.rejected,
      TYPE_MODE: config.typeMode,
      CONTINUATION_MARGIN_MS: String(config.continuationMarginMs),
      WRITE_CONCURRENCY: String(config.writeConcurrency),
      MAX_WRITE_ATTEMPTS: String(config.maxWriteAttempts),
      ...(config.schema && { SCHEMA_S3_KEY: config.schema.key }),
      ...(ledgerTable && { LEDGER_TABLE: ledgerTable }),
      ...(config.datasetsSetting && { DATASETS: config.datasetsSetting }),
      LOG_LEVEL: options.logLevel ?? 'WARN',
      POWERTOOLS_SERVICE_NAME: 'csv2ddb',
      POWERTOOLS_METRICS_NAMESPACE: 'csv2ddb',
      // Locally, metrics would only be EMF lines on the console.
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
    const lambda = await startLambdaEmulator({
      functionName: config.functionName,
      code: { path: code, env: functionEnv },
      timeoutMs: config.lambdaTimeoutMs,
      maxRetryAttempts: config.maxRetryAttempts,
      retryDelayMs: options.retryDelayMs ?? 1000,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.ports?.lambda !== undefined && { port: options.ports.lambda }),
      ...(options.onInvocation && { onInvocation: options.onInvocation }),
      onLateInvoke: ({ requestId }) =>
        warn(`dropped an Invoke sent after its invocation's deadline (request ${requestId ?? 'unknown'})`),
    });
    cleanup.push(() => lambda.close());
    // AWS CLI v1 reads only AWS_DEFAULT_REGION.
    const env = {
      ...servers.env,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    };
    const nextSequencer = createSequencer();

    const reports = new EventEmitter<{ report: [Report, string] }>();
    const onEvent = ({ Records: [record] }: { Records: S3rverRecord[] }) => {
      if (!record?.eventName.startsWith('ObjectCreated:') || record.s3.bucket.name !== config.bucket) return;
      const { key, size, eTag } = record.s3.object;
      const unsafe = unsafeKeyReason(key);
      if (unsafe !== undefined) {
        warn(
          `skipped the event of s3://${config.bucket}/${key}: the local stack refuses keys with ${unsafe}`,
        );
        return;
      }
      if (key.startsWith(config.prefixes.upload) && SUFFIXES.some((suffix) => key.endsWith(suffix))) {
        const event = s3Event(
          {
            bucket: config.bucket,
            key,
            eventName: record.eventName,
            ...(size !== undefined && { size }),
            ...(eTag && { eTag }),
          },
          LOCAL_REGION,
        );
        lambda.invokeAsync(withSequencer(event, nextSequencer()));
      } else if (key.startsWith(config.prefixes.report) && key.endsWith('.json')) {
        void readReport(key).then(
          (report) => {
            options.onReport?.(report, key);
            reports.emit('report', report, key);
          },
          () => undefined,
        );
      } else if (!key.startsWith(config.prefixes.report) && !key.startsWith(config.prefixes.rejected)) {
        options.onSkip?.(key, skipReason(key, config.prefixes.upload));
      }
    };
    const readReport = async (key: string): Promise<Report> => {
      const response = await servers.s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
      return JSON.parse((await response.Body?.transformToString()) ?? '') as Report;
    };
    servers.s3rver.on('event', onEvent);
    cleanup.push(async () => {
      servers.s3rver.off('event', onEvent);
      await lambda.idle();
    });

    return {
      config,
      bucket: config.bucket,
      tableName: config.table.name,
      datasetTables,
      ...(ledgerTable && { ledgerTable }),
      servers,
      dynamodb,
      writeModes: [...writeModes].sort(),
      lambda,
      functionEnv,
      env,
      ...(dataDir && { dataDir }),
      async upload(key, body) {
        await servers.s3.send(new PutObjectCommand({ Bucket: config.bucket, Key: key, Body: body }));
      },
      nextReport(key, timeoutMs = 60_000) {
        const reportKey = reportKeyFor(key.slice(config.prefixes.upload.length), config.prefixes);
        return new Promise<Report>((resolve, reject) => {
          const listener = (report: Report, writtenKey: string) => {
            if (writtenKey !== reportKey) return;
            clearTimeout(timer);
            reports.off('report', listener);
            resolve(report);
          };
          const timer = setTimeout(() => {
            reports.off('report', listener);
            reject(new Error(`no report ${reportKey} within ${timeoutMs} ms`));
          }, timeoutMs);
          reports.on('report', listener);
        });
      },
      objectPath: (key) => {
        const parts = key.split('/');
        const name = parts.pop() as string;
        return join(servers.s3Directory, config.bucket, ...parts, `${name}._S3rver_object`);
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
};
