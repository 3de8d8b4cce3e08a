import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type Container, createContainer } from './app/container.ts';
import { selectJobs } from './app/events.ts';
import { processFile } from './app/process-file.ts';

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

/** S3 event → one report per CSV file. Throws only when S3 or DynamoDB fail past their retries. */
export const handler = async (event: unknown, context: Context): Promise<void> => {
  logger.addContext(context);
  const { settings, deps } = await getContainer();
  const { jobs, skipped } = selectJobs(event, settings.sourceBucket, settings.prefixes);
  for (const skip of skipped) logger.info('skipped', { ...skip });
  try {
    for (const job of jobs) {
      logger.appendKeys({ bucket: job.bucket, key: job.key });
      const { report, reportKey } = await processFile(deps, job);
      logger.info('file processed', {
        status: report.status,
        rowsRead: report.rowsRead,
        rowsWritten: report.rowsWritten,
        rowsRejected: report.rowsRejected,
        durationMs: report.durationMs,
        rowsPerSecond: report.rowsPerSecond,
        reportKey,
      });
      metrics.addMetric('rowsRead', MetricUnit.Count, report.rowsRead);
      metrics.addMetric('rowsWritten', MetricUnit.Count, report.rowsWritten);
      metrics.addMetric('rowsRejected', MetricUnit.Count, report.rowsRejected);
      metrics.addMetric('filesFailed', MetricUnit.Count, report.status === 'failed' ? 1 : 0);
      metrics.addMetric('writeRetries', MetricUnit.Count, report.writes.retries);
      metrics.addMetric('writeThrottles', MetricUnit.Count, report.writes.throttles);
      logger.removeKeys(['bucket', 'key']);
    }
  } catch (error) {
    logger.error('file could not be processed', error as Error);
    throw error;
  } finally {
    if (jobs.length > 0) metrics.publishStoredMetrics();
  }
};
