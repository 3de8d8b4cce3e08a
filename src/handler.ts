import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type Container, createContainer } from './app/container.ts';
import { runTasks, selectTasks, type TaskResult } from './app/tasks.ts';

const logger = new Logger({ serviceName: 'csv2ddb' });
const metrics = new Metrics({ namespace: 'csv2ddb', serviceName: 'csv2ddb' });
let container: Promise<Container> | undefined;

const getContainer = (): Promise<Container> => {
  container ??= createContainer(process.env).catch((error: unknown) => {
    container = undefined;
    throw error;
  });
  return container;
};

/** Logs what became of a file in this invocation, and counts it in the metrics. */
const record = (result: TaskResult): void => {
  const { bucket, key, resume } = result.task;
  if (result.kind === 'skipped') {
    logger.info(`file ${result.outcome}`, { bucket, key, reason: result.reason });
    metrics.addMetric(
      result.outcome === 'duplicate' ? 'filesDuplicated' : 'filesSuperseded',
      MetricUnit.Count,
      1,
    );
    return;
  }
  if (result.kind !== 'finished') {
    const progress = { invocations: result.task.invocations, offset: resume?.offset, ...resume?.counts };
    logger.info(`file ${result.kind}`, { bucket, key, ...progress });
    metrics.addMetric('filesContinued', MetricUnit.Count, 1);
    return;
  }
  const { reportKey, report } = result;
  const { errors: _errors, bucket: _bucket, key: _key, ...summary } = report;
  logger.info('file processed', { bucket, key, reportKey, ...summary });
  metrics.addMetric('rowsRead', MetricUnit.Count, report.rowsRead);
  metrics.addMetric('rowsWritten', MetricUnit.Count, report.rowsWritten);
  metrics.addMetric('rowsRejected', MetricUnit.Count, report.rowsRejected);
  metrics.addMetric('rowsSkipped', MetricUnit.Count, report.rowsSkipped);
  metrics.addMetric('rowsDeleted', MetricUnit.Count, report.rowsDeleted);
  metrics.addMetric('filesFailed', MetricUnit.Count, report.status === 'failed' ? 1 : 0);
  metrics.addMetric('writeRetries', MetricUnit.Count, report.writes.retries);
  metrics.addMetric('writeThrottles', MetricUnit.Count, report.writes.throttles);
  metrics.addMetric('writeConsumedCapacity', MetricUnit.Count, report.writes.consumedCapacity);
};

/**
 * S3 event (or a continuation of a file this function started) → one report per CSV file.
 * Throws only when S3, DynamoDB or Lambda fail past their retries.
 */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  logger.addContext(context);
  const { settings, destinationOf, invoke, ledger } = await getContainer();
  let files = 0;
  try {
    const { tasks, skipped } = selectTasks(event, settings, new Date());
    for (const skip of skipped) logger.info('skipped', { ...skip });
    files = tasks.length;
    const turns = {
      remainingMs: () => context.getRemainingTimeInMillis(),
      marginMs: settings.continuationMarginMs,
      ...(invoke && { invoke }),
      ...(ledger && {
        ledger: {
          ...ledger,
          onHeartbeatError: (error: unknown) => logger.warn('ledger heartbeat failed', error as Error),
        },
      }),
      requestId: context.awsRequestId,
    };
    for await (const result of runTasks(destinationOf, tasks, turns)) record(result);
  } catch (error) {
    logger.error('file could not be processed', error as Error);
    throw error;
  } finally {
    if (files > 0) metrics.publishStoredMetrics();
  }
};
