// The part of cli-progress the CLI uses (the package ships no types).
declare module 'cli-progress' {
  type Payload = Record<string, string | number>;
  type Options = {
    format?: string;
    stream?: NodeJS.WritableStream;
    fps?: number;
    etaBuffer?: number;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
    barsize?: number;
  };
  type Preset = { barCompleteChar: string; barIncompleteChar: string };
  export class SingleBar {
    constructor(options: Options, preset?: Preset);
    start(total: number, value: number, payload?: Payload): void;
    update(value: number, payload?: Payload): void;
    stop(): void;
  }
  export const Presets: { shades_classic: Preset };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
