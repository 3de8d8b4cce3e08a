import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** The handler module and what Lambda gives it: its environment and memory. */
export type FunctionCode = {
  /** A file path (dist/index.mjs) or a file: URL of an ES module. */
  readonly path: string;
  /** The exported function, `handler` unless set. */
  readonly exportName?: string;
  /** The function's environment variables, as Terraform sets them. */
  readonly env: Record<string, string>;
  /** The function's memory: the container's heap limit. 1024 unless set. */
  readonly memoryMb?: number;
};

/** One attempt of one invocation. */
export type Attempt = { readonly requestId: string; readonly event: string; readonly timeoutMs: number };

export type AttemptResult = {
  readonly result?: unknown;
  readonly error?: Error;
  /** Killed at its deadline (the error says `Task timed out …`). */
  readonly timedOut: boolean;
  /** From the handler's start to its end or its deadline; a cold start's init is not counted, as on Lambda. */
  readonly durationMs: number;
  readonly containerId: string;
  /** Set on a cold start: how long the container took to start and load the handler module. */
  readonly initDurationMs?: number;
};

type Message =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; result: string }
  | { type: 'error'; id: number; error: SerializedError };
type SerializedError = { name: string; message: string; stack?: string };

// Lambda gives the init phase (loading the module) 10 s of its own.
const INIT_TIMEOUT_MS = 10_000;
const RUNTIME = new URL('./lambda-runtime.mjs', import.meta.url);

const toError = ({ name, message, stack }: SerializedError): Error =>
  Object.assign(new Error(message), { name, ...(stack !== undefined && { stack }) });

type Container = {
  readonly id: string;
  readonly worker: Worker;
  /** False once killed or crashed: Invoke requests it still sends are dropped. */
  alive: boolean;
  /** The deadline of the invocation it runs; undefined between invocations. */
  deadline?: number;
};

/**
 * Lambda's execution environments for one function: each a worker thread that loads the handler
 * module once and then runs one invocation at a time; kept warm for the next invocation, and
 * killed (`worker.terminate()`) at an invocation's deadline or when it crashes, as Lambda does.
 */
export const createContainerPool = (
  code: FunctionCode,
  options: { readonly functionName: string; readonly endpointFor: (containerId: string) => string },
) => {
  const moduleUrl = code.path.startsWith('file:') ? code.path : pathToFileURL(code.path).href;
  const memoryMb = code.memoryMb ?? 1024;
  const warm: Container[] = [];
  const containers = new Map<string, Container>();
  /** Each container's last request id, kept after it is gone, to name who sent a late request. */
  const lastRequest = new Map<string, string>();
  let started = 0;
  let killed = 0;
  let invocations = 0;

  const kill = (container: Container) => {
    if (!container.alive) return;
    container.alive = false;
    killed++;
    void container.worker.terminate();
  };

  /** Starts a container and waits for its init phase; rejects (and kills it) if the init fails. */
  const start = async (): Promise<{ container: Container; initDurationMs: number }> => {
    const id = `c${++started}`;
    const begun = Date.now();
    const worker = new Worker(RUNTIME, {
      workerData: {
        moduleUrl,
        exportName: code.exportName ?? 'handler',
        functionName: options.functionName,
        memoryMb,
      },
      // Lambda's environment is the function's own, not the host's; no TypeScript loader either.
      env: {
        ...code.env,
        AWS_LAMBDA_FUNCTION_NAME: options.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
        AWS_ENDPOINT_URL_LAMBDA: options.endpointFor(id),
      },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    const container: Container = { id, worker, alive: true };
    containers.set(id, container);
    worker.once('exit', () => {
      container.alive = false;
      containers.delete(id);
      const at = warm.indexOf(container);
      if (at >= 0) warm.splice(at, 1);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Init timed out')), INIT_TIMEOUT_MS);
        const done = (error?: Error) => {
          clearTimeout(timer);
          worker.off('message', onMessage);
          worker.off('error', done);
          worker.off('exit', onExit);
          if (error) reject(error);
          else resolve();
        };
        const onMessage = (message: Message) =>
          done(message.type === 'init-error' ? toError(message.error) : undefined);
        const onExit = (code: number) => done(new Error(`Runtime exited during init with status ${code}`));
        worker.on('message', onMessage);
        worker.once('error', done);
        worker.once('exit', onExit);
      });
    } catch (error) {
      kill(container);
      throw error;
    }
    return { container, initDurationMs: Date.now() - begun };
  };

  /** Runs one attempt in a warm container, or a new one; settles by the deadline at the latest. */
  const run = async (attempt: Attempt): Promise<AttemptResult> => {
    const reused = warm.pop();
    let container: Container;
    let initDurationMs: number | undefined;
    if (reused) container = reused;
    else {
      try {
        ({ container, initDurationMs } = await start());
      } catch (error) {
        return { error: error as Error, timedOut: false, durationMs: 0, containerId: `c${started}` };
      }
    }
    const begun = Date.now();
    container.deadline = begun + attempt.timeoutMs;
    lastRequest.set(container.id, attempt.requestId);
    const id = ++invocations;
    const cold = initDurationMs === undefined ? {} : { initDurationMs };
    const outcome = await new Promise<Omit<AttemptResult, 'containerId' | 'durationMs'>>((resolve) => {
      const { worker } = container;
      const settle = (result: Omit<AttemptResult, 'containerId' | 'durationMs'>) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(result);
      };
      const timer = setTimeout(() => {
        // Lambda stops the environment at the deadline: nothing the handler does afterwards happens.
        kill(container);
        const seconds = (attempt.timeoutMs / 1000).toFixed(2);
        settle({ error: new Error(`Task timed out after ${seconds} seconds`), timedOut: true });
      }, attempt.timeoutMs);
      const onMessage = (message: Message) => {
        if (message.type === 'result' && message.id === id)
          settle({ result: JSON.parse(message.result), timedOut: false });
        else if (message.type === 'error' && message.id === id)
          settle({ error: toError(message.error), timedOut: false });
      };
      // An uncaught exception or unhandled rejection ends the runtime, and with it the invocation.
      const onError = (error: Error) => {
        kill(container);
        settle({ error, timedOut: false });
      };
      const onExit = (code: number) =>
        settle({ error: new Error(`Runtime exited with status ${code}`), timedOut: false });
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({
        id,
        requestId: attempt.requestId,
        deadline: container.deadline,
        event: attempt.event,
      });
    });
    container.deadline = undefined;
    if (container.alive) warm.push(container);
    return { ...outcome, durationMs: Date.now() - begun, containerId: container.id, ...cold };
  };

  return {
    run,
    /**
     * Whether an Invoke request from this container goes out: only while it runs an invocation
     * before that invocation's deadline (a killed or frozen container sends nothing).
     */
    sender: (containerId: string) => {
      const container = containers.get(containerId);
      const live =
        container?.alive === true && container.deadline !== undefined && Date.now() < container.deadline;
      return { live, requestId: lastRequest.get(containerId) };
    },
    stats: () => ({ started, killed, warm: warm.length }),
    close: async () => {
      warm.length = 0;
      await Promise.all([...containers.values()].map((container) => container.worker.terminate()));
    },
  };
};

export type ContainerPool = ReturnType<typeof createContainerPool>;
