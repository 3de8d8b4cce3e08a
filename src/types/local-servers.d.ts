// Minimal types for the two local emulators, which ship none.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  type Options = { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string };
  export default function dynalite(options?: Options): Server;
}

declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { AddressInfo } from 'node:net';

  type Options = {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs: (string | Buffer)[] }[];
  };
  export default class S3rver extends EventEmitter {
    constructor(options?: Options);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
  }
}
