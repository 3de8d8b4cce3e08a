import { isUtf8 } from 'node:buffer';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ErrorCode, FileError } from './errors.ts';

/** How many bytes at the end of `chunk` may start a UTF-8 sequence that the next chunk completes. */
const incompleteTail = (chunk: Buffer): number => {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) !== 0x80) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? back : 0;
    }
  }
  return 0;
};

/**
 * Passes bytes through unchanged up to the first character that is not UTF-8, then fails the file
 * once the reader has taken every byte before it (destroying a stream drops what it still holds).
 * With `graceBytes`, it first reads that much further, passing nothing on, so that an error
 * upstream, such as corrupt gzip decompressing to garbage, can name the real problem instead.
 */
class Utf8Validator extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private offset: number;
  private grace: number;
  private failure: FileError | undefined;
  private raising = false;

  constructor(startOffset = 0, graceBytes = 0) {
    super();
    this.offset = startOffset;
    this.grace = graceBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // While raising, the callback is held back: nothing more is read from upstream.
    if (this.raising) return;
    if (this.failure) {
      this.grace -= chunk.length;
      if (this.grace < 0) this.raise();
      else callback();
      return;
    }
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const complete = bytes.length - incompleteTail(bytes);
    const body = bytes.subarray(0, complete);
    if (!isUtf8(body)) {
      const valid = firstInvalidCharacter(body);
      this.push(body.subarray(0, valid));
      this.failure = this.invalid(this.offset + valid);
      if (this.grace > 0) callback();
      else this.raise();
      return;
    }
    this.carry = Buffer.from(bytes.subarray(complete));
    this.offset += complete;
    callback(null, body);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.failure && this.carry.length === 0) {
      callback();
      return;
    }
    this.failure ??= this.invalid(this.offset);
    this.raise();
  }

  override read(size?: number): unknown {
    const chunk = super.read(size);
    if (this.raising && this.readableLength === 0) process.nextTick(() => this.destroy(this.failure));
    return chunk;
  }

  private raise(): void {
    this.raising = true;
    if (this.readableLength === 0) this.destroy(this.failure);
  }

  private invalid(position: number): FileError {
    return new FileError(ErrorCode.FILE_NOT_UTF8, `the file is not valid UTF-8 (byte offset ${position})`);
  }
}

/** Where the first character that is not valid UTF-8 starts, checked one character at a time. */
const firstInvalidCharacter = (bytes: Buffer): number => {
  let start = 0;
  for (let next = 1; next <= bytes.length; next++) {
    const continuation = next < bytes.length && ((bytes[next] as number) & 0xc0) === 0x80;
    if (continuation) continue;
    if (!isUtf8(bytes.subarray(start, next))) return start;
    start = next;
  }
  return start;
};

/** Drops the first `count` bytes: a gzip file can only be resumed by decompressing from its start. */
class SkipBytes extends Transform {
  constructor(private remaining: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.remaining >= chunk.length) {
      this.remaining -= chunk.length;
      callback();
      return;
    }
    const rest = chunk.subarray(this.remaining);
    this.remaining = 0;
    callback(null, rest);
  }
}

export type DecodeOptions = {
  readonly gzip: boolean;
  /** Decompressed bytes to drop first (resuming a gzip file); plain files are opened at the offset instead. */
  readonly skip?: number;
  /** The offset in the decompressed file where `body` starts, for error messages. */
  readonly startOffset?: number;
};

/** Corrupt gzip data often decompresses to garbage before zlib sees a bad block or checksum. */
const GZIP_GRACE_BYTES = 1024 * 1024;

/**
 * Bytes of a CSV object → validated UTF-8 bytes. Errors of the data itself (broken gzip,
 * invalid UTF-8) surface as `FileError`s; errors of the source pass through unchanged.
 */
export const decodeInput = (body: Readable, options: DecodeOptions): Readable => {
  const validator = new Utf8Validator(options.startOffset ?? 0, options.gzip ? GZIP_GRACE_BYTES : 0);
  const stages: NodeJS.ReadWriteStream[] = [];
  if (options.gzip) {
    const gunzip = createGunzip();
    stages.push(gunzip);
    if (options.skip) stages.push(new SkipBytes(options.skip));
  }
  pipeline([body, ...stages, validator] as unknown as [Readable, Transform]).catch(() => {
    // pipeline() destroys the validator with the error, so whoever reads it sees the error.
  });
  return validator;
};

/** zlib's errors mean the data is broken; any other error is the source's and passes through. */
export const asDataError = (error: unknown): unknown => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new FileError(
      ErrorCode.FILE_BAD_GZIP,
      `the file is not valid gzip (${(error as Error).message})`,
      {},
      {
        cause: error,
      },
    );
  }
  return error;
};
