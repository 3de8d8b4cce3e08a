import { existsSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HttpAnswer, KeepAliveOptions } from './keep-alive-http.ts';

/**
 * Every vCPU (THREADS > 1): the main thread reads, parses, converts, batches and builds each
 * request body; sender threads (sender-thread.ts) sign and send the requests and hand back the
 * answers. One reader keeps every rule of a file in one place (the later row of a key wins, exact
 * counts, rejected rows in order, the continuation offset): a write is done when its answer is
 * back on the main thread, as with one thread. What crosses between threads is a body (bytes) and
 * an answer, not items: handing items over cost more than parsing them (docs/scale.md).
 */

/** Lambda gives a function one vCPU per 1,769 MB of memory (up to 6 at 10,240 MB). */
export const MB_PER_VCPU = 1769;

/**
 * How many threads in all THREADS asks for: `auto` is the vCPUs the function has (its memory over
 * 1,769 MB, rounded, in Lambda; the machine's elsewhere), at most `max`. A share of a vCPU rounds
 * down below a half: a second thread on 0.2 of a vCPU would cost its hand-off and gain little.
 */
export const threadsFor = (
  setting: 'auto' | number,
  env: NodeJS.ProcessEnv,
  max: number,
  cpus: number = availableParallelism(),
): number => {
  if (setting !== 'auto') return setting;
  const memory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const vcpus = Number.isFinite(memory) && memory > 0 ? Math.round(memory / MB_PER_VCPU) : cpus;
  return Math.max(1, Math.min(vcpus, cpus, max));
};

/** What the sender thread needs to sign with the SDK's signer: the client's resolved settings and credentials. */
export type SignSpec = {
  readonly region: string;
  readonly service: string;
  readonly uriEscapePath: boolean;
  readonly applyChecksum: boolean;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Milliseconds since the epoch, the client's clock skew correction included. */
  readonly signingDate: number;
};

export type SenderRequest = {
  readonly id: number;
  /** `http://127.0.0.1:8000`, `https://dynamodb.eu-west-1.amazonaws.com`. */
  readonly origin: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
  /** Absent: the headers are sent as they are (already signed by the SDK's own pipeline). */
  readonly sign?: SignSpec;
  readonly timeouts: KeepAliveOptions;
};

export type SenderAnswer =
  | {
      readonly id: number;
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly body: Uint8Array;
    }
  | { readonly id: number; readonly error: { name: string; message: string; code?: string } };

export type SenderPool = {
  /** How many sender threads. */
  readonly threads: number;
  /** Signs (with `sign`) and POSTs on the least busy sender thread. */
  post(request: Omit<SenderRequest, 'id'>): Promise<HttpAnswer>;
  close(): Promise<void>;
};

/**
 * The sender thread's script: the TypeScript source under tsx (tests), else `sender.mjs` beside the
 * bundle (dist/sender.mjs by dist/index.mjs, dist/cli/sender.mjs by the CLI's chunks).
 */
const senderScript = (): { url: URL; execArgv?: string[] } => {
  if (import.meta.url.endsWith('.ts'))
    return { url: new URL('./sender-thread.ts', import.meta.url), execArgv: ['--import', 'tsx'] };
  const beside = new URL('./sender.mjs', import.meta.url);
  const cli = new URL('./cli/sender.mjs', import.meta.url);
  return { url: existsSync(beside) || !existsSync(cli) ? beside : cli };
};

/** An error of a sender thread as the SDK's retry classification reads it (`name`, `code`). */
const rebuilt = ({ name, message, code }: { name: string; message: string; code?: string }) =>
  Object.assign(new Error(message), { name, ...(code !== undefined && { code }) });

type Sender = {
  worker: Worker;
  waiting: Map<number, { resolve: (answer: HttpAnswer) => void; reject: (error: unknown) => void }>;
};

/**
 * Starts `threads` sender threads (an idle one does not keep a process alive). A thread that stops
 * fails the requests it held as dropped connections (`ECONNRESET`, retried like any other) and is
 * started again for the next request.
 */
export const createSenderPool = (threads: number): SenderPool => {
  let nextId = 0;
  const script = senderScript();
  const senders: (Sender | undefined)[] = Array.from({ length: threads }, () => undefined);

  const start = (slot: number): Sender => {
    const worker = new Worker(script.url, {
      ...(script.execArgv && { execArgv: script.execArgv }),
      // Its memory counts against the function's: 16 MB of young generation measured the lowest peak
      // (4, 8 and 32 MB, and V8's default, measured more: docs/scale.md).
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
    const sender: Sender = { worker, waiting: new Map() };
    worker.on('message', (answer: SenderAnswer) => {
      const waiting = sender.waiting.get(answer.id);
      if (!waiting) return;
      sender.waiting.delete(answer.id);
      if (sender.waiting.size === 0) worker.unref();
      if ('error' in answer) waiting.reject(rebuilt(answer.error));
      else
        waiting.resolve({
          status: answer.status,
          headers: answer.headers,
          body: Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength),
        });
    });
    const stopped = (cause: unknown) => {
      if (senders[slot] === sender) senders[slot] = undefined;
      const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      for (const { reject } of sender.waiting.values())
        reject(rebuilt({ name: 'Error', message: `sender thread stopped (${text})`, code: 'ECONNRESET' }));
      sender.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    // After the 'message' listener: Node refs the worker's port when its first one is added.
    worker.unref();
    senders[slot] = sender;
    return sender;
  };
  for (let slot = 0; slot < threads; slot++) start(slot);

  /** The sender with the fewest requests waiting (a stopped one is started again). */
  const pick = (): Sender => {
    let best: Sender | undefined;
    for (let slot = 0; slot < threads; slot++) {
      const sender = senders[slot] ?? start(slot);
      if (!best || sender.waiting.size < best.waiting.size) best = sender;
    }
    return best as Sender;
  };

  return {
    threads,
    post: (request) =>
      new Promise<HttpAnswer>((resolve, reject) => {
        const sender = pick();
        const id = nextId++;
        // A thread with requests out keeps the process alive, as a socket would; an idle one does not.
        if (sender.waiting.size === 0) sender.worker.ref();
        sender.waiting.set(id, { resolve, reject });
        sender.worker.postMessage({ ...request, id } satisfies SenderRequest);
      }),
    close: async () => {
      const running = senders.filter((sender): sender is Sender => sender !== undefined);
      senders.fill(undefined);
      await Promise.all(running.map(({ worker }) => worker.terminate()));
    },
  };
};
