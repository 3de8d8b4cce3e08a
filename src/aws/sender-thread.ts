/**
 * A sender thread (THREADS > 1): signs and POSTs the requests the main thread hands it, over a
 * kept-alive pool of its own, and hands back each answer (or the error, as name, message and code).
 * It knows nothing of CSV, items or retries: the main thread builds each body, decides every retry
 * and reads every answer, so the file's order, counts and report stay in one place.
 * Bundled as `sender.mjs` next to `index.mjs` (scripts/build.ts) and `cli.mjs` (scripts/build-cli.ts).
 */
import { parentPort } from 'node:worker_threads';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { keepAlivePoster } from './keep-alive-http.ts';
import type { SenderAnswer, SenderRequest, SignSpec } from './sender-pool.ts';

type Poster = ReturnType<typeof keepAlivePoster>;
const posters = new Map<string, Poster>();
let signer: { key: string; signer: SignatureV4 } | undefined;

/** The SDK's own signer class, as the client configures it for DynamoDB; built again only when the credentials change. */
const signerFor = (spec: SignSpec): SignatureV4 => {
  const { credentials } = spec;
  const key = [
    spec.region,
    spec.service,
    spec.uriEscapePath,
    spec.applyChecksum,
    credentials.accessKeyId,
    credentials.secretAccessKey,
    credentials.sessionToken ?? '',
  ].join('\n');
  if (signer?.key !== key) {
    signer = {
      key,
      signer: new SignatureV4({
        service: spec.service,
        region: spec.region,
        credentials,
        sha256: Sha256,
        uriEscapePath: spec.uriEscapePath,
        applyChecksum: spec.applyChecksum,
      }),
    };
  }
  return signer.signer;
};

const answer = async (request: SenderRequest): Promise<SenderAnswer> => {
  const origin = new URL(request.origin);
  const body = typeof request.body === 'string' ? Buffer.from(request.body) : request.body;
  let headers = request.headers;
  if (request.sign) {
    const signed = await signerFor(request.sign).sign(
      new HttpRequest({
        method: 'POST',
        protocol: origin.protocol,
        hostname: origin.hostname,
        port: origin.port ? Number(origin.port) : undefined,
        path: request.path,
        headers: { ...headers },
        body,
      }),
      {
        signingDate: new Date(request.sign.signingDate),
        signingRegion: request.sign.region,
        signingService: request.sign.service,
      },
    );
    headers = signed.headers;
  }
  let poster = posters.get(request.origin);
  if (!poster) {
    poster = keepAlivePoster(origin, request.timeouts);
    posters.set(request.origin, poster);
  }
  const { status, headers: answerHeaders, body: answerBody } = await poster.post(request.path, headers, body);
  // A copy of its own, so that only the answer's bytes cross (a socket's chunk may share a larger buffer).
  return { id: request.id, status, headers: answerHeaders, body: new Uint8Array(answerBody) };
};

parentPort?.on('message', (request: SenderRequest) => {
  answer(request).then(
    (result) => parentPort?.postMessage(result, 'body' in result ? [result.body.buffer as ArrayBuffer] : []),
    (error: unknown) => {
      const { name, message, code } = error as { name?: string; message?: string; code?: unknown };
      parentPort?.postMessage({
        id: request.id,
        error: {
          name: name ?? 'Error',
          message: message ?? String(error),
          ...(typeof code === 'string' && { code }),
        },
      } satisfies SenderAnswer);
    },
  );
});
