import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../aws/s3-client.ts';
import { classifyKey, type Prefixes } from '../../core/object-key.ts';
import type { Report, ReportStatus } from '../../core/report.ts';
import { readPrefixes, wholeNumber } from '../args.ts';
import { formatTable } from '../format.ts';
import type { ReportsOptions } from '../program.ts';

/** `pending`: uploaded, with no report yet, or uploaded again after its report was written. */
export type FileStatus = ReportStatus | 'pending';

/** One file of the listing: its upload and its report, as far as each exists. */
export type ListedFile = {
  /** The key without the upload prefix: it names both the upload and the report. */
  readonly rest: string;
  readonly uploadKey?: string;
  readonly uploadedAt?: Date;
  readonly reportKey?: string;
  readonly reportedAt?: Date;
};

const FETCHES_IN_FLIGHT = 8;

const listKeys = async (s3: S3Client, bucket: string, prefix: string) => {
  const found: { key: string; at: Date }[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const { Key, LastModified } of page.Contents ?? []) {
      if (Key !== undefined) found.push({ key: Key, at: LastModified ?? new Date(0) });
    }
  }
  return found;
};

/** The uploads (that the function would process) and the reports under `sub`, joined by the key they share. */
export const listFiles = async (
  s3: S3Client,
  bucket: string,
  prefixes: Prefixes,
  sub = '',
): Promise<ListedFile[]> => {
  const [uploads, reports] = await Promise.all([
    listKeys(s3, bucket, `${prefixes.upload}${sub}`),
    listKeys(s3, bucket, `${prefixes.report}${sub}`),
  ]);
  const files = new Map<string, ListedFile>();
  for (const { key, at } of uploads) {
    const decision = classifyKey(key, prefixes);
    if (decision.process) files.set(decision.rest, { rest: decision.rest, uploadKey: key, uploadedAt: at });
  }
  for (const { key, at } of reports) {
    if (!key.endsWith('.json')) continue;
    const rest = key.slice(prefixes.report.length, -'.json'.length);
    files.set(rest, { ...files.get(rest), rest, reportKey: key, reportedAt: at });
  }
  return [...files.values()].sort((a, b) => latest(b) - latest(a));
};

const latest = (file: ListedFile) =>
  Math.max(file.uploadedAt?.getTime() ?? 0, file.reportedAt?.getTime() ?? 0);

/** A report older than its upload is an earlier upload's: the new one is still pending. */
const isCurrent = (file: ListedFile) =>
  file.reportKey !== undefined &&
  (file.uploadedAt === undefined || (file.reportedAt?.getTime() ?? 0) >= file.uploadedAt.getTime());

const readReport = async (s3: S3Client, bucket: string, key: string): Promise<Report> => {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await response.Body?.transformToString('utf-8')) ?? '') as Report;
};

type Row = { readonly file: ListedFile; readonly status: FileStatus; readonly report?: Report };

/**
 * `csv2ddb reports --bucket B`: the newest files first, each with its status; reports are read in
 * small parallel rounds, only as many as the listing needs (`--status` reads on until `--limit` match).
 */
export const runReports = async (options: ReportsOptions): Promise<void> => {
  const limit = wholeNumber('limit', options.limit, 1, 10_000);
  const prefixes = readPrefixes(options);
  const s3 = createS3Client();
  const files = await listFiles(s3, options.bucket, prefixes, options.prefix ?? '');
  const rows: Row[] = [];
  for (let at = 0; at < files.length && rows.length < limit; at += FETCHES_IN_FLIGHT) {
    const round = await Promise.all(
      files.slice(at, at + FETCHES_IN_FLIGHT).map(async (file): Promise<Row> => {
        if (!isCurrent(file)) return { file, status: 'pending' };
        const report = await readReport(s3, options.bucket, file.reportKey as string);
        return { file, status: report.status, report };
      }),
    );
    for (const row of round) {
      if (rows.length < limit && (options.status === undefined || row.status === options.status))
        rows.push(row);
    }
  }
  if (options.json) {
    for (const { file, status, report } of rows) {
      console.log(
        JSON.stringify({
          status,
          key: file.uploadKey ?? `${prefixes.upload}${file.rest}`,
          ...(file.uploadedAt && { uploadedAt: file.uploadedAt.toISOString() }),
          ...(file.reportKey && { reportKey: file.reportKey }),
          ...(report && { report }),
        }),
      );
    }
  } else if (rows.length > 0) {
    console.log(
      formatTable(
        ['when', 'status', 'read', 'written', 'rejected', 'file'],
        rows.map(({ file, status, report }) => [
          new Date(latest(file)).toISOString().replace(/\.\d+Z$/, 'Z'),
          status,
          ...(report
            ? [String(report.rowsRead), String(report.rowsWritten), String(report.rowsRejected)]
            : ['', '', '']),
          file.uploadKey ?? `${prefixes.upload}${file.rest} (upload gone)`,
        ]),
        Number.POSITIVE_INFINITY,
      ),
    );
  }
  const more = rows.length === limit && files.length > limit ? ' (raise --limit for more)' : '';
  console.error(
    `${rows.length} file${rows.length === 1 ? '' : 's'}${options.status ? ` ${options.status}` : ''} under s3://${options.bucket}/${prefixes.upload}${options.prefix ?? ''}${more}`,
  );
};
