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

describe('decodeInput() in another encoding', () => {
  const le = Buffer.from('ID,Name\n1,Łódź 😀\n', 'utf16le');
  const be = Buffer.from(le).swap16();
  const BOM_LE = Buffer.from([0xff, 0xfe]);
  const BOM_BE = Buffer.from([0xfe, 0xff]);

  it.each([
    ['UTF-8 (default)', Buffer.from('a,b\n'), undefined, 'utf8', Buffer.from('a,b\n')],
    [
      'a UTF-16LE BOM under the default',
      Buffer.concat([BOM_LE, le]),
      undefined,
      'utf16le',
      Buffer.concat([BOM_LE, le]),
    ],
    [
      'a UTF-16BE BOM under the default',
      Buffer.concat([BOM_BE, be]),
      undefined,
      'utf16le',
      Buffer.concat([BOM_LE, le]),
    ],
    ['UTF-16LE', le, 'utf-16le', 'utf16le', le],
    ['UTF-16BE, swapped to LE', be, 'utf-16be', 'utf16le', le],
    [
      'windows-1252',
      Buffer.from([0x80, 0x41, 0xe9]),
      'windows-1252',
      'windows-1252',
      Buffer.from([0x80, 0x41, 0xe9]),
    ],
    ['latin1', Buffer.from([0x81, 0x9d, 0xff]), 'latin1', 'latin1', Buffer.from([0x81, 0x9d, 0xff])],
    ['an empty file', Buffer.alloc(0), undefined, 'utf8', Buffer.alloc(0)],
    ['a one-byte file', Buffer.from('a'), undefined, 'utf8', Buffer.from('a')],
  ] as const)(
    'passes %s on for the parser, keeping its length',
    async (_what, bytes, encoding, parse, out) => {
      for (const size of [1, 3, 4096]) {
        const input = decodeInput(chunked(bytes, size), { gzip: false, ...(encoding && { encoding }) });
        const parts: Buffer[] = [];
        for await (const part of input) parts.push(part as Buffer);
        expect(Buffer.concat(parts)).toEqual(out);
        expect(await input.encoding).toBe(parse);
      }
    },
  );

  it.each([
    ['0x81 in windows-1252', Buffer.from('ab\x81', 'latin1'), 'windows-1252', 'windows-1252', 2],
    ['0x9D in windows-1252', Buffer.from('a\x9d', 'latin1'), 'windows-1252', 'windows-1252', 1],
    ['a lone low surrogate in UTF-16LE', Buffer.from([0x41, 0, 0x00, 0xdc]), 'utf-16le', 'UTF-16LE', 2],
    [
      'a high surrogate at the end of UTF-16LE',
      Buffer.from([0x41, 0, 0x3d, 0xd8]),
      'utf-16le',
      'UTF-16LE',
      2,
    ],
    [
      'a high surrogate and no low one in UTF-16BE',
      Buffer.from([0xd8, 0x3d, 0, 0x41]),
      'utf-16be',
      'UTF-16BE',
      0,
    ],
    ['an odd byte at the end of UTF-16LE', Buffer.from([0x41, 0, 0x42]), 'utf-16le', 'UTF-16LE', 2],
  ] as const)('fails on %s, naming its byte offset', async (_what, bytes, encoding, name, position) => {
    for (const size of [1, 4096]) {
      expect(failure(await decode(chunked(bytes, size), { gzip: false, encoding }))).toEqual({
        code: ErrorCode.FILE_NOT_UTF8,
        message: `the file is not valid ${name} (byte offset ${position})`,
      });
    }
  });

  it('honours a UTF-16 BOM when resuming: from `head` for a plain file, from the start for gzip', async () => {
    const bytes = Buffer.concat([BOM_BE, be]);
    const plain = decodeInput(chunked(bytes.subarray(18), 5), {
      gzip: false,
      startOffset: 18,
      head: bytes.subarray(0, 2),
    });
    expect(await plain.encoding).toBe('utf16le');
    const gzip = decodeInput(chunked(gzipSync(bytes), 5), { gzip: true, skip: 18, startOffset: 18 });
    const parts: Buffer[] = [];
    for await (const part of gzip) parts.push(part as Buffer);
    expect(Buffer.concat(parts)).toEqual(le.subarray(16));
    expect(await gzip.encoding).toBe('utf16le');
  });
});
