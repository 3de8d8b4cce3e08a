import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { describeTable, type TableInfo } from '../aws/dynamodb-table.ts';
import type { TurnSetup } from '../aws/file-turn.ts';
import type { FileStore } from '../core/file-store.ts';
import { pacerFor, type TablePacer } from '../core/pacer.ts';
import type { ProcessDeps } from './file-types.ts';
import { createProcessDeps, type ProcessSetup } from './process-deps.ts';
import { createSchemaSource } from './schema-source.ts';
import type { SchemaSetting, Settings } from './settings.ts';

/** Where a file goes (SPEC "Datasets"): its dataset's table and schema, or TABLE_NAME's. */
export type Route = {
  readonly table: string;
  readonly schema?: SchemaSetting;
  /** The dataset's sub-prefix; unset for TABLE_NAME. */
  readonly dataset?: string;
};

/**
 * The route of a key whose rest after UPLOAD_PREFIX is `rest`: the dataset with the longest sub-prefix
 * that starts it, else TABLE_NAME (with SCHEMA / SCHEMA_S3_KEY), else none (the file is skipped).
 */
export const routeOf = (
  rest: string,
  settings: Pick<Settings, 'tableName' | 'schema' | 'datasets'>,
): Route | undefined => {
  // Longest first (parseDatasets sorts them): the first match is the longest.
  const dataset = settings.datasets?.find((candidate) => rest.startsWith(candidate.prefix));
  if (dataset) {
    return {
      table: dataset.table,
      dataset: dataset.prefix,
      ...(dataset.schema && { schema: dataset.schema }),
    };
  }
  if (settings.tableName === undefined) return undefined;
  return { table: settings.tableName, ...(settings.schema && { schema: settings.schema }) };
};

/** Every route of the settings: each dataset's, and TABLE_NAME's when it is set. */
export const routesOf = (settings: Pick<Settings, 'tableName' | 'schema' | 'datasets'>): Route[] => [
  ...(settings.datasets ?? []).map((dataset) => ({
    table: dataset.table,
    dataset: dataset.prefix,
    ...(dataset.schema && { schema: dataset.schema }),
  })),
  ...(settings.tableName === undefined
    ? []
    : [{ table: settings.tableName, ...(settings.schema && { schema: settings.schema }) }]),
];

/** Why a key has no route: DATASETS is set, no sub-prefix matches, and TABLE_NAME is not set. */
export const NO_ROUTE = 'matches no dataset of DATASETS, and TABLE_NAME is not set';

/** A file's table and processing dependencies, and on a provisioned table its share of the capacity for the ledger. */
export type Destination = {
  readonly table?: string;
  readonly deps: ProcessDeps;
  readonly share?: TurnSetup['share'];
};

export type DestinationSetup = Omit<ProcessSetup, 'tableName' | 'table' | 'pacer' | 'schema'> & {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  readonly bucket: string;
  readonly store: FileStore;
};

type TableState = { readonly info: TableInfo; readonly pacer: TablePacer };

/** Caches a promise; a rejected one is forgotten, so that the next file asks again. */
const cached = <Value>(map: Map<string, Promise<Value>>, key: string, make: () => Promise<Value>) => {
  let value = map.get(key);
  if (!value) {
    value = make();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
};

/**
 * The destinations of one container. Each table is described once (the first time a route to it is
 * asked for; a failure is forgotten, so the next ask tries again) and has one pacer, so that every file written into it shares its capacity, whichever dataset it
 * came through; each route has its own schema source, so that a dataset's invalid or missing
 * schema fails that dataset's files only.
 */
export const createDestinations = (setup: DestinationSetup) => {
  const tables = new Map<string, Promise<TableState>>();
  const routes = new Map<string, Promise<Destination>>();
  const tableState = (name: string) =>
    cached(tables, name, async () => {
      const info = await describeTable(setup.dynamodb, name);
      return { info, pacer: pacerFor(info, setup.writeConcurrency) };
    });
  const { s3, bucket, ...processSetup } = setup;
  return (route: Route): Promise<Destination> =>
    cached(routes, `${route.dataset ?? ''}\0${route.table}`, async () => {
      const { info, pacer } = await tableState(route.table);
      const origin = route.dataset === undefined ? undefined : `DATASETS ${JSON.stringify(route.dataset)}`;
      const deps = createProcessDeps({
        ...processSetup,
        tableName: route.table,
        table: info,
        pacer,
        schema: createSchemaSource(s3, bucket, route.schema, origin),
      });
      return {
        table: route.table,
        deps,
        ...(info.writeCapacity !== undefined && {
          share: { tableName: route.table, writeCapacity: info.writeCapacity, pacer },
        }),
      };
    });
};
