import { GetObjectCommand } from '@aws-sdk/client-s3';
import { defineCommand } from 'citty';
import { createS3Client } from '../../aws/s3-client.ts';
import { type Prefixes, reportKeyFor } from '../../core/object-key.ts';
import type { Report } from '../../core/report.ts';
import { badArgument, prefixArgs, readPrefixes } from '../args.ts';
import { exitCodeFor } from '../exit-code.ts';
import { formatCounts, formatErrors, formatSpeed, formatTable, formatWarnings } from '../format.ts';

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

export const reportCommand = defineCommand({
  meta: {
    name: 'report',
    description:
      "Show a file's report: status, counts and errors. Exit code: 0 succeeded, 1 partial, 2 failed or no report",
  },
  args: {
    key: {
      type: 'positional',
      description: 'The uploaded key (incoming/x.csv) or the report key (reports/x.csv.json)',
      required: true,
    },
    bucket: { type: 'string', description: 'The source bucket', required: true },
    json: { type: 'boolean', description: 'Print the report JSON as stored' },
    ...prefixArgs,
  },
  async run({ args }) {
    const reportKey = resolveReportKey(args.key, readPrefixes(args));
    const s3 = createS3Client();
    let text: string;
    try {
      const response = await s3.send(new GetObjectCommand({ Bucket: args.bucket, Key: reportKey }));
      text = (await response.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'NoSuchKey' && name !== 'NoSuchBucket') throw error;
      throw badArgument(
        `no report at s3://${args.bucket}/${reportKey}${name === 'NoSuchBucket' ? ' (no such bucket)' : ' (not processed yet?)'}`,
      );
    }
    const report = JSON.parse(text) as Report;
    console.log(args.json ? text.trimEnd() : formatReport(report, args.bucket));
    process.exitCode = exitCodeFor(report.status);
  },
});
