import { basename } from 'node:path';
import type { FileStore } from '../core/file-store.ts';
import { fileSink, rejectedPathFor } from './local-file-store.ts';

const neverContinued = async () => {
  throw new Error('a dry run is never continued');
};

/**
 * `ingest --dry-run`: the file is read from `inner` (the disk or S3) and nothing is written there.
 * No report is stored (the CLI prints it), no earlier output is removed, and the rejected rows go to a
 * local file as a run would write them: next to a local input (`data.csv.rejected.csv`), or, for an
 * `s3://` input, in the current folder under the key's last part.
 */
export const dryRunStore = (inner: FileStore, options: { readonly local: boolean }): FileStore => ({
  file: (ref) => {
    const file = inner.file(ref);
    return {
      rejectedName: rejectedPathFor(options.local ? ref.key : basename(ref.key)),
      open: (pin, offset) => file.open(pin, offset),
      isGone: (error) => file.isGone(error),
      rejectedRows: fileSink,
      putReport: async () => undefined,
      remove: async () => undefined,
      // Stopped by Ctrl-C: the rejected rows stay where they are; nothing continues a dry run.
      move: async () => undefined,
      joinParts: neverContinued,
    };
  },
});
