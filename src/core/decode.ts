import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BOM_BYTES, type Codec, codecFor, type ParseEncoding } from './codecs.ts';
import type { Encoding } from './dialect.ts';
import { ErrorCode, FileError } from './errors.ts';

/**
 * Passes bytes through (in the form the parser reads: `Codec`) up to the first character that is
 * not valid in the file's encoding, then fails the file once the reader has taken every byte
 * before it (destroying a stream drops what it still holds). With `graceBytes`, it first reads
 * that much further, passing nothing on, so that an error upstream, such as corrupt gzip
 * decompressing to garbage, can name the real problem instead.
 * The codec is chosen from the file's first bytes (a UTF-16 byte order mark): `encoding` settles then.
 */
class Validator extends Transform {
  private carry: Buffer = Buffer.alloc(0);
  private offset: number;
  private grace: number;
  private failure: FileError | undefined;
  private raising = false;
  private codec: Codec | undefined;
  /** Bytes at the start still to drop (a gzip file resumed: it is decompressed from its start). */
  private skip: number;
  private settle!: (codec: Codec) => void;
  readonly encoding: Promise<ParseEncoding>;
  readonly fileEncoding: Promise<Encoding>;

  constructor(
    private readonly declared: Encoding,
    options: { startOffset: number; skip: number; grace: number; head: Buffer | undefined },
  ) {
    super();
    this.offset = options.startOffset;
    this.skip = options.skip;
    this.grace = options.grace;
    const chosen = new Promise<Codec>((resolve) => {
      this.settle = resolve;
    });
    this.encoding = chosen.then((codec) => codec.parse);
    this.fileEncoding = chosen.then((codec) => codec.encoding);
    // Resumed past its start, the file's first bytes come from `head`; otherwise from the first chunks.
    if (options.head !== undefined || this.offset - this.skip > 0)
      this.choose(options.head ?? Buffer.alloc(0));
  }

  private choose(head: Buffer): Codec {
    const codec = codecFor(this.declared, head);
    this.codec = codec;
    this.settle(codec);
    return codec;
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
    if (this.codec === undefined) {
      if (bytes.length < BOM_BYTES) {
        this.carry = Buffer.from(bytes);
        callback();
        return;
      }
      this.choose(bytes);
    }
    this.consume(bytes, callback);
  }

  private consume(input: Buffer, callback: TransformCallback): void {
    const codec = this.codec as Codec;
    let bytes = input;
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, bytes.length);
      this.skip -= dropped;
      bytes = bytes.subarray(dropped);
    }
    const complete = bytes.length - codec.tail(bytes);
    const { out, invalidAt } = codec.check(bytes.subarray(0, complete));
    if (invalidAt !== -1) {
      this.push(out.subarray(0, invalidAt));
      this.failure = this.invalid(codec, this.offset + invalidAt);
      if (this.grace > 0) callback();
      else this.raise();
      return;
    }
    this.carry = complete === bytes.length ? Buffer.alloc(0) : Buffer.from(bytes.subarray(complete));
    this.offset += complete;
    callback(null, out);
  }

  override _flush(callback: TransformCallback): void {
    if (this.codec === undefined) {
      // A file shorter than a byte order mark: its few bytes go the usual way.
      const rest = this.carry;
      this.carry = Buffer.alloc(0);
      this.choose(rest);
      this.consume(rest, (_error, out) => {
        if (out) this.push(out);
      });
      if (this.raising) return;
    }
    if (!this.failure && this.carry.length === 0) {
      callback();
      return;
    }
    this.failure ??= this.invalid(this.codec as Codec, this.offset);
    this.raise();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Whoever waits for the encoding then reads the error.
    if (this.codec === undefined) this.choose(Buffer.alloc(0));
    callback(error);
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

  private invalid(codec: Codec, position: number): FileError {
    return new FileError(
      ErrorCode.FILE_NOT_UTF8,
      `the file is not valid ${codec.name} (byte offset ${position})`,
    );
  }
}

export type DecodeOptions = {
  readonly gzip: boolean;
  /** Decompressed bytes to drop first (resuming a gzip file); plain files are opened at the offset instead. */
  readonly skip?: number;
  /** The offset in the decompressed file where `body` starts (after `skip`), for error messages. */
  readonly startOffset?: number;
  /** The declared encoding; default UTF-8, which a UTF-16 byte order mark overrides. */
  readonly encoding?: Encoding;
  /** The file's first bytes when `body` starts past them (a plain file resumed): its byte order mark. */
  readonly head?: Buffer;
};

/**
 * The bytes for the parser, and the encoding it reads them in, known once the file's first bytes are;
 * `fileEncoding`: the file's own (UTF-16 by its byte order mark in a file declared UTF-8).
 */
export type DecodedInput = Readable & {
  readonly encoding: Promise<ParseEncoding>;
  readonly fileEncoding: Promise<Encoding>;
};

/** Corrupt gzip data often decompresses to garbage before zlib sees a bad block or checksum. */
const GZIP_GRACE_BYTES = 1024 * 1024;

/**
 * Bytes of a CSV object → validated bytes in the encoding the parser reads them in
 * (`encoding`). Errors of the data itself (broken gzip, bytes invalid in the encoding) surface as
 * `FileError`s; errors of the source pass through unchanged.
 */
export const decodeInput = (body: Readable, options: DecodeOptions): DecodedInput => {
  const skip = options.gzip ? (options.skip ?? 0) : 0;
  const validator = new Validator(options.encoding ?? 'utf-8', {
    startOffset: options.startOffset ?? 0,
    skip,
    grace: options.gzip ? GZIP_GRACE_BYTES : 0,
    head: options.head,
  });
  const stages: NodeJS.ReadWriteStream[] = options.gzip ? [createGunzip()] : [];
  pipeline([body, ...stages, validator] as unknown as [Readable, Transform]).catch(() => {
    // pipeline() destroys the validator with the error, so whoever reads it sees the error.
  });
  return validator;
};

/** Whether resuming at `offset` needs the file's first bytes (`head`): only a plain file that may hold a UTF-16 BOM. */
export const needsHead = (options: { gzip: boolean; encoding?: Encoding }, offset: number): boolean =>
  offset > 0 && !options.gzip && (options.encoding ?? 'utf-8') === 'utf-8';

/**
 * The first `bytes` of a file (by default enough for its byte order mark), read from a stream that
 * is then closed.
 */
export const readHead = async (body: Readable, bytes = BOM_BYTES): Promise<Buffer> => {
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      parts.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).subarray(0, bytes);
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
