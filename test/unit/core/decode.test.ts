import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { asDataError, decodeInput } from '../../../src/core/decode.ts';
import { ErrorCode, FileError } from '../../../src/core/errors.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));

const chunked = (bytes: Buffer, size: number): Readable => {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
};

/** The decoded bytes, or the error a reader sees, as ingest() turns it into data errors. */
const decode = async (body: Readable, options: Parameters<typeof decodeInput>[1]) => {
  const parts: Buffer[] = [];
  try {
    for await (const part of decodeInput(body, options)) parts.push(part as Buffer);
    return { bytes: Buffer.concat(parts) };
  } catch (error) {
    return { error: asDataError(error) };
  }
};

const failure = (outcome: { error?: unknown }) => {
  expect(outcome.error).toBeInstanceOf(FileError);
  const { code, message } = outcome.error as FileError;
  return { code, message };
};

describe('decodeInput()', () => {
  const text = Buffer.from('ID,Name\n1,Müller 😀\n2,€uro\n');

  it.each([1, 2, 3, 5, 1024])('passes valid UTF-8 through unchanged in chunks of %i bytes', async (size) => {
    expect(await decode(chunked(text, size), { gzip: false })).toEqual({ bytes: text });
  });

  it.each([1, 3, 64])('decompresses gzip while streaming (chunks of %i bytes)', async (size) => {
    expect(await decode(chunked(gzipSync(text), size), { gzip: true })).toEqual({ bytes: text });
  });

  it('skips decompressed bytes when a gzip file is resumed', async () => {
    expect(await decode(chunked(gzipSync(text), 7), { gzip: true, skip: 8, startOffset: 8 })).toEqual({
      bytes: text.subarray(8),
    });
  });

  it.each([
    ['text that is not gzip', Buffer.from('ID,Name\n1,a\n')],
    ['a truncated gzip file', gzipSync(text).subarray(0, gzipSync(text).length - 10)],
    ['gzip with a corrupt body', Buffer.concat([gzipSync(text).subarray(0, 12), Buffer.alloc(20, 0xff)])],
  ])('fails with FILE_BAD_GZIP on %s', async (_what, bytes) => {
    expect(failure(await decode(chunked(bytes, 8), { gzip: true }))).toMatchObject({
      code: ErrorCode.FILE_BAD_GZIP,
      message: expect.stringMatching(/^the file is not valid gzip \(/),
    });
  });

  it.each([
    ['a Latin-1 byte', fixture('invalid-utf8.csv'), 1, 21],
    ['a Latin-1 byte, read whole', fixture('invalid-utf8.csv'), 4096, 21],
    ['a stray continuation byte', Buffer.from([0x61, 0x80, 0x62]), 1, 1],
    ['an invalid byte after a multi-byte character', Buffer.from([0xc3, 0xbc, 0xff]), 4096, 2],
    ['a lead byte cut off by a normal one across chunks', Buffer.from([0x61, 0xe2, 0x82, 0x41]), 2, 1],
    ['a character cut off by the end of the file', Buffer.from([0x61, 0x62, 0xe2, 0x82]), 1, 2],
    ['an overlong encoding', Buffer.from([0x61, 0xc0, 0xaf]), 4096, 1],
    ['an encoded surrogate', Buffer.from([0x61, 0xed, 0xa0, 0x80]), 4096, 1],
    ['a lone 0xFF (half a UTF-16 byte order mark)', Buffer.from([0xff]), 4096, 0],
    ['0xFF then a byte that is no UTF-16 BOM', Buffer.from([0xff, 0x49, 0x00]), 1, 0],
  ])('fails with FILE_NOT_UTF8 on %s, naming its byte offset', async (_what, bytes, size, position) => {
    expect(failure(await decode(chunked(bytes, size), { gzip: false }))).toEqual({
      code: ErrorCode.FILE_NOT_UTF8,
      message: `the file is not valid UTF-8 (byte offset ${position})`,
    });
  });

  it('finds invalid UTF-8 far into a file, inside gzip, split across chunks', async () => {
    const bytes = Buffer.concat([
      Buffer.from('ID,Name\n'),
      Buffer.from('1,ü\n'.repeat(50_000)),
      Buffer.from([0xe2]),
    ]);
    expect(failure(await decode(chunked(gzipSync(bytes), 1000), { gzip: true }))).toEqual({
      code: ErrorCode.FILE_NOT_UTF8,
      message: `the file is not valid UTF-8 (byte offset ${bytes.length - 1})`,
    });
  });

  it('counts offsets from where a resumed read starts', async () => {
    const outcome = await decode(chunked(Buffer.from([0x61, 0xff]), 1), { gzip: false, startOffset: 1000 });
    expect(failure(outcome).message).toBe('the file is not valid UTF-8 (byte offset 1001)');
  });
});

describe('asDataError()', () => {
  it('leaves an error of the source alone', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(asDataError(error)).toBe(error);
  });
});
