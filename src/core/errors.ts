/**
 * Every error csv2ddb raises carries a stable `code` and the place it happened.
 * A `RowError` is data: it goes into the report and the rejected-rows file.
 * A `FileError` fails one file (the report says `failed`), never the invocation.
 * Anything else (`DependencyError`, `ConfigError`) is an exception that makes the caller throw.
 */

export const ErrorCode = {
  // file-level
  FILE_EMPTY: 'FILE_EMPTY',
  // Bytes not valid in the file's encoding, whichever it is (SPEC names no code; the message names the encoding and byte offset).
  FILE_NOT_UTF8: 'FILE_NOT_UTF8',
  FILE_BAD_GZIP: 'FILE_BAD_GZIP',
  FILE_CHANGED: 'FILE_CHANGED',
  FILE_NO_PROGRESS: 'FILE_NO_PROGRESS',
  SCHEMA_CHANGED: 'SCHEMA_CHANGED',
  DATASET_CHANGED: 'DATASET_CHANGED',
  CSV_EMPTY_HEADER: 'CSV_EMPTY_HEADER',
  CSV_DUPLICATE_HEADER: 'CSV_DUPLICATE_HEADER',
  CSV_MISSING_KEY_COLUMN: 'CSV_MISSING_KEY_COLUMN',
  CSV_UNLISTED_COLUMN: 'CSV_UNLISTED_COLUMN',
  CSV_MISSING_REQUIRED_COLUMN: 'CSV_MISSING_REQUIRED_COLUMN',
  CSV_DUPLICATE_ATTRIBUTE: 'CSV_DUPLICATE_ATTRIBUTE',
  CSV_MALFORMED_HEADER: 'CSV_MALFORMED_HEADER',
  CSV_RECORD_TOO_LARGE: 'CSV_RECORD_TOO_LARGE',
  CSV_MALFORMED: 'CSV_MALFORMED',
  SCHEMA_INVALID: 'SCHEMA_INVALID',
  WRITE_DENIED: 'WRITE_DENIED',
  // row-level
  ROW_MALFORMED: 'ROW_MALFORMED',
  ROW_FIELD_COUNT: 'ROW_FIELD_COUNT',
  KEY_MISSING: 'KEY_MISSING',
  KEY_INVALID: 'KEY_INVALID',
  KEY_TOO_LARGE: 'KEY_TOO_LARGE',
  ITEM_TOO_LARGE: 'ITEM_TOO_LARGE',
  VALUE_INVALID: 'VALUE_INVALID',
  VALUE_REQUIRED: 'VALUE_REQUIRED',
  ITEM_REFUSED: 'ITEM_REFUSED',
  OP_INVALID: 'OP_INVALID',
  VERSION_MISSING: 'VERSION_MISSING',
  // exceptions
  CONFIG_INVALID: 'CONFIG_INVALID',
  WRITE_RETRIES_EXHAUSTED: 'WRITE_RETRIES_EXHAUSTED',
  WRITE_FAILED: 'WRITE_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type ErrorContext = {
  bucket?: string;
  key?: string;
  file?: string;
  row?: number;
  column?: string;
};

/**
 * Each class names itself: the name goes into reports and logs (`DependencyError: …`), and the
 * minified bundle does not keep class names.
 */
export class Csv2ddbError extends Error {
  override name = 'Csv2ddbError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.context = context;
  }
}

/** The file as a whole cannot be processed. */
export class FileError extends Csv2ddbError {
  override name = 'FileError';
}

/** One record cannot become an item; the rest of the file goes on. */
export class RowError extends Csv2ddbError {
  override name = 'RowError';
}

/** A setting or the column schema is invalid. */
export class ConfigError extends Csv2ddbError {
  override name = 'ConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.CONFIG_INVALID, message, {}, options);
  }
}

/** S3 or DynamoDB failed past the retry budget: the invocation must throw. */
export class DependencyError extends Csv2ddbError {
  override name = 'DependencyError';
}

/** A write that may succeed when tried again (throttling, a 5xx, a dropped connection). */
export class RetryableWriteError extends Csv2ddbError {
  override name = 'RetryableWriteError';
  constructor(message: string, options?: ErrorOptions & { throttled?: boolean }) {
    super(ErrorCode.WRITE_FAILED, message, {}, options);
    this.throttled = options?.throttled ?? false;
  }
  readonly throttled: boolean;
}

/** DynamoDB refused the items of a call as invalid: some item in it can never be written. */
export class ItemRefusedError extends Csv2ddbError {
  override name = 'ItemRefusedError';
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.ITEM_REFUSED, message, {}, options);
  }
}

/** The role may not perform a DynamoDB action a write mode needs (an AccessDeniedException): not retried. */
export class WriteDeniedError extends Csv2ddbError {
  override name = 'WriteDeniedError';
  constructor(
    readonly action: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(ErrorCode.WRITE_DENIED, message, {}, options);
  }
}
