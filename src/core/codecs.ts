import { isUtf8 } from 'node:buffer';
import type { Encoding } from './dialect.ts';

/**
 * What the CSV parser reads. Every codec keeps the bytes' length, so that offsets the parser
 * counts are offsets of the source file: UTF-16BE is byte-swapped to UTF-16LE, windows-1252 is read
 * as Latin-1 and its 0x80–0x9F characters mapped afterwards (`fromWindows1252`).
 */
export type ParseEncoding = 'utf8' | 'utf16le' | 'latin1' | 'windows-1252';

export type Codec = {
  /** For messages: "the file is not valid UTF-8". */
  readonly name: string;
  /** The encoding the file is read in: a UTF-16 byte order mark makes a file declared UTF-8 `utf-16le` or `utf-16be`. */
  readonly encoding: Encoding;
  readonly parse: ParseEncoding;
  /** How many bytes at the end of `bytes` may start a character that the next chunk completes. */
  tail(bytes: Buffer): number;
  /** The bytes for the parser, and where the first invalid character starts (-1: none). */
  check(bytes: Buffer): { readonly out: Buffer; readonly invalidAt: number };
};

/** How many bytes at the end of `chunk` may start a UTF-8 sequence that the next chunk completes. */
const utf8Tail = (chunk: Buffer): number => {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] as number;
    if ((byte & 0xc0) !== 0x80) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return needed > back ? back : 0;
    }
  }
  return 0;
};

/** Where the first character that is not valid UTF-8 starts, checked one character at a time (its lead byte says how long). */
const firstInvalidUtf8 = (bytes: Buffer): number => {
  let start = 0;
  while (start < bytes.length) {
    const lead = bytes[start] as number;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
    if (length === 0 || !isUtf8(bytes.subarray(start, start + length)) || start + length > bytes.length) {
      return start;
    }
    start += length;
  }
  return start;
};

const UTF8: Codec = {
  name: 'UTF-8',
  encoding: 'utf-8',
  parse: 'utf8',
  tail: utf8Tail,
  check: (bytes) => ({ out: bytes, invalidAt: isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes) }),
};

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** An odd byte, or a high surrogate whose low half may come next. */
const utf16Tail = (bytes: Buffer, little: boolean): number => {
  const odd = bytes.length & 1;
  const last = bytes.length - odd - 2;
  if (last < 0) return odd;
  const unit = little ? bytes.readUInt16LE(last) : bytes.readUInt16BE(last);
  return isHighSurrogate(unit) ? odd + 2 : odd;
};

/** With the `u` flag, a surrogate class matches only a surrogate that is not half of a pair. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The byte offset of the first unpaired surrogate of UTF-16LE bytes (an even length), or -1. */
const firstInvalidUtf16 = (bytes: Buffer): number => {
  const match = LONE_SURROGATE.exec(bytes.toString('utf16le'));
  return match ? match.index * 2 : -1;
};

const UTF16LE: Codec = {
  name: 'UTF-16LE',
  encoding: 'utf-16le',
  parse: 'utf16le',
  tail: (bytes) => utf16Tail(bytes, true),
  check: (bytes) => ({ out: bytes, invalidAt: firstInvalidUtf16(bytes) }),
};

const UTF16BE: Codec = {
  name: 'UTF-16BE',
  encoding: 'utf-16be',
  parse: 'utf16le',
  tail: (bytes) => utf16Tail(bytes, false),
  check: (bytes) => {
    // A copy: the chunk may be shared with whoever else holds it.
    const out = Buffer.from(bytes).swap16();
    return { out, invalidAt: firstInvalidUtf16(out) };
  },
};

/** The five bytes windows-1252 leaves unassigned (WHATWG's decoder maps them to C1 controls instead). */
const UNASSIGNED_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d] as const;

const WINDOWS_1252: Codec = {
  name: 'windows-1252',
  encoding: 'windows-1252',
  parse: 'windows-1252',
  tail: () => 0,
  check: (bytes) => {
    let invalidAt = -1;
    for (const byte of UNASSIGNED_1252) {
      const at = bytes.indexOf(byte);
      if (at !== -1 && (invalidAt === -1 || at < invalidAt)) invalidAt = at;
    }
    return { out: bytes, invalidAt };
  },
};

/** ISO-8859-1: every byte is a character (Node's 'latin1', not WHATWG's, which is windows-1252). */
const LATIN1: Codec = {
  name: 'Latin-1',
  encoding: 'latin1',
  parse: 'latin1',
  tail: () => 0,
  check: (bytes) => ({ out: bytes, invalidAt: -1 }),
};

const CODECS: Readonly<Record<Encoding, Codec>> = {
  'utf-8': UTF8,
  'utf-16le': UTF16LE,
  'utf-16be': UTF16BE,
  'windows-1252': WINDOWS_1252,
  latin1: LATIN1,
};

/** Bytes needed to tell a UTF-16 byte order mark. */
export const BOM_BYTES = 2;

/**
 * The codec of a file in the declared encoding, given its first bytes: a file declared UTF-8
 * (the default) that starts with a UTF-16 byte order mark is UTF-16 (0xFF is never UTF-8).
 */
export const codecFor = (encoding: Encoding, head: Buffer): Codec => {
  if (encoding === 'utf-8' && head.length >= BOM_BYTES) {
    if (head[0] === 0xff && head[1] === 0xfe) return UTF16LE;
    if (head[0] === 0xfe && head[1] === 0xff) return UTF16BE;
  }
  return CODECS[encoding];
};

const windows1252 = new TextDecoder('windows-1252');
const C1_RANGE = /[\x80-\x9f]/;

/** A field read as Latin-1 from windows-1252 bytes, with 0x80–0x9F turned into what windows-1252 says (€, “, …). */
export const fromWindows1252 = (field: string): string =>
  C1_RANGE.test(field) ? windows1252.decode(Buffer.from(field, 'latin1')) : field;

/** windows-1252's characters at 0x80–0x9F, from the WHATWG decoder rather than a hand-written table. */
const WINDOWS_1252_HIGH: ReadonlyMap<string, number> = new Map(
  Array.from({ length: 0x20 }, (_, index) => 0x80 + index)
    .filter((byte) => !(UNASSIGNED_1252 as readonly number[]).includes(byte))
    .map((byte) => [windows1252.decode(Uint8Array.of(byte)), byte] as const),
);

/**
 * Text → bytes in an encoding (for the rejected-rows file). A character the encoding cannot
 * hold becomes `?`, as Excel and iconv do.
 */
export const encodeText = (text: string, encoding: Encoding): Buffer => {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'latin1':
      return Buffer.from(text.replace(/[\u0100-\u{10FFFF}]/gu, '?'), 'latin1');
    case 'windows-1252': {
      const bytes = Buffer.alloc(text.length);
      let length = 0;
      for (const char of text) {
        const code = char.codePointAt(0) as number;
        const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : WINDOWS_1252_HIGH.get(char);
        bytes[length++] = byte ?? 0x3f;
      }
      return bytes.subarray(0, length);
    }
  }
};
