import { type Options, parse as parseText } from 'csv-parse/sync';
import { fromWindows1252 } from './codecs.ts';
import type { Delimiter } from './dialect.ts';
import { type CsvRecord, csvParseOptions, MALFORMED_QUOTES, rfcRecordFor } from './parse.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
/** A record, or bytes waiting for their line end, past this go to csv-parse: its 4 MB limit then applies as always. */
const FAST_LIMIT = 1024 * 1024;
/** A record with quotes within this many bytes of the last one joins its csv-parse call (a call costs some 20 µs). */
const CLUSTER_GAP = 4096;

/** What `Splitter.take` found: records, and whether csv-parse must read on from `Splitter.base`. */
const FALLBACK = -1;
const INCOMPLETE = -2;

/**
 * Splits the records of an ASCII-compatible encoding (UTF-8, Latin-1, windows-1252: a quote, a
 * delimiter, CR and LF are single bytes that never occur inside another character) at their line
 * ends. A record without a quote is split on its delimiter; a run of records with quotes, up to a
 * line end found by quote parity, is read by csv-parse in one call, whose records are taken as they
 * are (parity only chooses where to stop). Where that cannot be done (a record of a MB, the file's
 * last record with quotes and no line end, a failed input), csv-parse (`parseCsv`) reads the rest.
 */
export class Splitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly rfcRecord: RegExp;
  private readonly fix: ((field: string) => string) | undefined;
  private readonly readAs: 'utf8' | 'latin1';
  /** Where csv-parse last read a record without a quote-parity end from, and to (absolute offsets). */
  private tried = { at: -1, to: -1 };
  /** Line ends before `base` as csv-parse counts them (CRLF once, but each CR and LF inside quotes), for its messages. */
  lines = 0;

  constructor(
    /** The absolute offset of the first byte not yet taken: the end of the last record given. */
    public base: number,
    private readonly delimiter: Delimiter,
    encoding: 'utf8' | 'latin1' | 'windows-1252',
  ) {
    this.rfcRecord = rfcRecordFor(delimiter);
    this.readAs = encoding === 'utf8' ? 'utf8' : 'latin1';
    this.fix = encoding === 'windows-1252' ? fromWindows1252 : undefined;
  }

  /** The bytes after the last record given. */
  get pending(): Buffer {
    return this.buf;
  }

  add(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }

  /** Adds the complete records to `out`; `end`: no more bytes come. False when csv-parse must read on from `base`. */
  take(end: boolean, out: CsvRecord[]): boolean {
    const buf = this.buf;
    const len = buf.length;
    const bom = this.base === 0 && this.readAs === 'utf8';
    if (bom && len < 3 && !end) return true;
    // The start of the record being read, blank lines (and the BOM) before it included.
    let start = 0;
    let pos = bom && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const next = (byte: number, from: number) => {
      const at = buf.indexOf(byte, from);
      return at === -1 ? len : at;
    };
    let lf = next(LF, pos);
    let cr = next(CR, pos);
    let quote = next(QUOTE, pos);
    let ok = true;
    // Line ends of the blank lines since `start`, counted once the record after them is given.
    let blank = 0;
    while (pos < len) {
      if (lf < pos) lf = next(LF, pos);
      if (cr < pos) cr = next(CR, pos);
      if (quote < pos) quote = next(QUOTE, pos);
      const lineEnd = Math.min(lf, cr);
      if (quote < lineEnd) {
        const after = this.cluster(start, pos, end, out);
        if (after === INCOMPLETE) break;
        if (after === FALLBACK) {
          ok = false;
          break;
        }
        start = pos = after;
        blank = 0;
        continue;
      }
      let after = lineEnd + 1;
      if (lineEnd === len) {
        if (!end) break;
        after = len;
      } else if (lineEnd === cr) {
        if (lineEnd + 1 === len && !end) break;
        if (buf[lineEnd + 1] === LF) after++;
      }
      if (lineEnd > pos) {
        if (lineEnd - pos > FAST_LIMIT) {
          ok = false;
          break;
        }
        const fields = buf.toString(this.readAs, pos, lineEnd).split(this.delimiter);
        out.push({ fields: this.fix ? fields.map(this.fix) : fields, end: this.base + after });
        this.lines += blank + 1;
        blank = 0;
        start = after;
      } else {
        blank++;
      }
      pos = after;
    }
    this.buf = buf.subarray(start);
    this.base += start;
    return ok && this.buf.length <= FAST_LIMIT;
  }

  /**
   * Reads the records from `pos` while records with quotes follow closely, by csv-parse in one call:
   * the end after them, INCOMPLETE when no record is whole yet, or FALLBACK.
   */
  private cluster(start: number, pos: number, end: boolean, out: CsvRecord[]): number {
    const buf = this.buf;
    const len = buf.length;
    // The end of the last record quote parity found: csv-parse reads up to it.
    let last = -1;
    let at = pos;
    for (;;) {
      let index = at;
      let quoted = false;
      for (; index < len; index++) {
        const byte = buf[index];
        if (byte === QUOTE) quoted = !quoted;
        else if (!quoted && (byte === LF || byte === CR)) break;
      }
      if (index === len || (index + 1 === len && buf[index] === CR && !end)) break;
      const after = index + (buf[index] === CR && buf[index + 1] === LF ? 2 : 1);
      if (after - pos > FAST_LIMIT) return FALLBACK;
      last = at = after;
      while (at < len && (buf[at] === LF || buf[at] === CR)) at++;
      const quote = buf.indexOf(QUOTE, at);
      if (quote === -1 || quote - at > CLUSTER_GAP) break;
    }
    if (last === -1) {
      // A last record without its line end: csv-parse reads it as it always did.
      if (end) return FALLBACK;
      // No end by quote parity (a stray quote, or a long quoted value): csv-parse reads to the last LF,
      // again for the same record only once the bytes have doubled (a long value is not read over and over).
      const lastLf = buf.lastIndexOf(LF);
      const from = this.base + pos;
      const to = this.base + lastLf + 1;
      if (lastLf < pos || (this.tried.at === from && to - from < 2 * (this.tried.to - from)))
        return INCOMPLETE;
      this.tried = { at: from, to };
      return this.accept(start, lastLf + 1, out) ?? INCOMPLETE;
    }
    return this.accept(start, last, out) ?? FALLBACK;
  }

  /**
   * Gives csv-parse's records of `buf[start, to)`, `to` just past a line end: each ended at a line
   * end csv-parse read outside quotes (a quote left open at `to` is the one record it does not
   * give), so reading on past `to` could not have changed it, wherever quote parity put their ends.
   * The end after them, or undefined when there are none.
   */
  private accept(start: number, to: number, out: CsvRecord[]) {
    const buf = this.buf;
    const records = this.readRegion(start, to);
    if (records === undefined || records.length === 0) return undefined;
    let from = start;
    for (const { fields, bytes } of records) {
      const recordEnd = start + bytes;
      const text = fields.some((field) => field.includes('"')) && buf.toString(this.readAs, from, recordEnd);
      const record = { fields: this.fix ? fields.map(this.fix) : fields, end: this.base + recordEnd };
      out.push(
        text === false || this.rfcRecord.test(text) ? record : { ...record, problem: MALFORMED_QUOTES },
      );
      from = recordEnd;
    }
    let quoted = false;
    for (let index = start; index < from; index++) {
      const byte = buf[index];
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF || byte === CR) {
        this.lines++;
        if (!quoted && byte === CR && buf[index + 1] === LF) index++;
      }
    }
    return from;
  }

  /**
   * csv-parse's records of `buf[from, to)` with the options `parseCsv` uses (a quote left open at
   * `to` skips the last); undefined when it skipped a record for another reason.
   */
  private readRegion(from: number, to: number) {
    const records: { fields: string[]; bytes: number }[] = [];
    let unclosed = false;
    let failed = false;
    const options: Options = {
      ...csvParseOptions(this.delimiter, this.readAs, this.base + from === 0),
      on_record: (fields: string[], context) => {
        records.push({ fields, bytes: context.bytes });
        return undefined;
      },
      on_skip: (error) => {
        if (error?.code === 'CSV_QUOTE_NOT_CLOSED' && !unclosed) unclosed = true;
        else failed = true;
        return undefined;
      },
    };
    try {
      parseText(this.buf.subarray(from, to), options);
    } catch {
      return undefined;
    }
    return failed ? undefined : records;
  }
}
