import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/s3-client.ts';
import { type Prefixes, reportKeyFor } from '../../core/object-key.ts';
import type { Report } from '../../core/report.ts';
import { badArgument, parseS3Url, readPrefixes } from '../args.ts';
import { exitCodeFor } from '../exit-code.ts';
import { formatCounts, formatErrors, formatSpeed, formatTable, formatWarnings } from '../format.ts';
import type { ReportOptions } from '../program.ts';

/** A report key as is; a source key (under the upload prefix, or the rest of it) → its report key. */
export const resolveReportKey = (key: string, prefixes: Prefixes): string => {
  if (key.startsWith(prefixes.report) && key.endsWith('.json')) return key;
  const rest =
    prefixes.upload !== '' && key.startsWith(prefixes.upload) ? key.slice(prefixes.upload.length) : key;
  return reportKeyFor(rest, prefixes);
};

export const formatReport = (report: Report, bucket: string): string => {
  const lines = formatTable(
    ['', ''],
    [
      ['file', `s3://${report.bucket}/${report.key}`],
      ...(report.eTag ? [['ETag', report.eTag]] : []),
      ...(report.versionId ? [['version', report.versionId]] : []),
      ['status', report.status],
      ['rows', formatCounts(report)],
      ['speed', formatSpeed(report)],
      ['started', report.startedAt],
      ['finished', report.finishedAt],
      ...(report.rejectedRowsKey ? [['rejected rows', `s3://${bucket}/${report.rejectedRowsKey}`]] : []),
    ],
    Number.POSITIVE_INFINITY,
  )
    .split('\n')
    .slice(1);
  const warnings = formatWarnings(report, `s3://${report.bucket}/${report.key}`);
  return [
    ...lines,
    ...(report.errors.length > 0 ? ['', formatErrors(report)] : []),
    ...(warnings ? ['', warnings] : []),
  ].join('\n');
};

/** `csv2ddb report KEY`: a file's report from the bucket. */
export const runReport = async (input: string, options: ReportOptions): Promise<void> => {
  // `s3://bucket/key`, as ingest takes it, or a key and --bucket.
  const { bucket, key } = input.startsWith('s3://')
    ? parseS3Url(input)
    : { bucket: options.bucket, key: input };
  if (bucket === undefined) throw badArgument(`give s3://bucket/${input} or --bucket`);
  if (options.bucket !== undefined && options.bucket !== bucket) {
    throw badArgument(`--bucket ${options.bucket} differs from the bucket of ${input}`);
  }
  const reportKey = resolveReportKey(key, readPrefixes(options));
  const s3 = createS3Client();
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: reportKey }));
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'NoSuchKey' && name !== 'NoSuchBucket') throw error;
    throw badArgument(
      `no report at s3://${bucket}/${reportKey}${name === 'NoSuchBucket' ? ' (no such bucket)' : ' (not processed yet?)'}`,
    );
  }
  const report = JSON.parse(text) as Report;
  console.log(options.json ? text.trimEnd() : formatReport(report, bucket));
  process.exitCode = exitCodeFor(report.status);
};
