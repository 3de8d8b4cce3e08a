import cliProgress from 'cli-progress';
import type { Counts } from '../core/ingest.ts';

export type Progress = {
  /** `bytes` of the input file consumed so far. */
  update(bytes: number, counts: Readonly<Counts>): void;
  stop(): void;
};

const BAR_INTERVAL_MS = 200;
const PLAIN_INTERVAL_MS = 2_000;

/**
 * Progress of one file on stderr: a bar with rows written per second and an ETA (by bytes consumed)
 * on a terminal, a plain line every few seconds otherwise, so logs stay readable. A timer refreshes
 * it, because while DynamoDB is slow the reader waits and reports nothing new.
 */
export const createProgress = (totalBytes: number, stream: NodeJS.WriteStream = process.stderr): Progress => {
  const started = Date.now();
  let bytes = 0;
  let counts: Readonly<Counts> = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  const speed = () => {
    const seconds = (Date.now() - started) / 1000;
    return seconds > 0 ? Math.round(counts.rowsWritten / seconds) : 0;
  };
  const payload = () => ({
    rows: counts.rowsRead,
    written: counts.rowsWritten,
    rejected: counts.rowsRejected,
    speed: speed(),
  });

  const bar = stream.isTTY
    ? new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | {rows} rows read | {written} written | {rejected} rejected | {speed} rows/s | ETA {eta_formatted}',
          stream,
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(Math.max(totalBytes, 1), 0, payload());
  const render = bar
    ? () => bar.update(bytes, payload())
    : () => {
        const percent = totalBytes > 0 ? Math.floor((bytes * 100) / totalBytes) : 100;
        stream.write(
          `${counts.rowsRead} rows read (${percent}%), ${counts.rowsWritten} written, ${counts.rowsRejected} rejected, ${speed()} rows/s\n`,
        );
      };
  const timer = setInterval(render, bar ? BAR_INTERVAL_MS : PLAIN_INTERVAL_MS);
  timer.unref();
  return {
    update(nextBytes, nextCounts) {
      bytes = nextBytes;
      counts = nextCounts;
    },
    stop() {
      clearInterval(timer);
      if (!bar) return;
      render();
      bar.stop();
    },
  };
};
