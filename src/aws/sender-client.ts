import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type HttpRequest, HttpResponse } from '@smithy/core/protocols';
import { createDynamoDBClient } from './dynamodb-client.ts';
import { DEFAULT_TIMEOUTS, type KeepAliveOptions } from './keep-alive-http.ts';
import type { SenderPool } from './sender-pool.ts';

/**
 * The SDK path (WRITE_PATH=sdk) on sender threads: the SDK's whole pipeline (serialising, signing,
 * retries, parsing) stays on the main thread, and only its HTTP exchange goes to a sender thread,
 * through this request handler in place of the SDK's own.
 */
const senderRequestHandler = (senders: SenderPool, timeouts: KeepAliveOptions) => ({
  metadata: { handlerProtocol: 'http/1.1' },
  async handle(request: HttpRequest) {
    const query = new URLSearchParams(
      Object.entries(request.query ?? {}).flatMap(([name, value]) =>
        value === null ? [[name, '']] : (Array.isArray(value) ? value : [value]).map((one) => [name, one]),
      ),
    ).toString();
    const answer = await senders.post({
      origin: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
      path: `${request.path}${query ? `?${query}` : ''}`,
      headers: request.headers,
      body: typeof request.body === 'string' ? request.body : Buffer.from(request.body ?? ''),
      timeouts,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    return { response: new HttpResponse({ statusCode: answer.status, headers, body: answer.body }) };
  },
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
  destroy: () => undefined,
});

/** One such client per client and pool: the puts and the write modes' calls share it. */
const clients = new WeakMap<SenderPool, WeakMap<DynamoDBClient, DynamoDBClient>>();

/**
 * A client like `dynamodb` (its region, credentials, endpoint when one was given, and attempts)
 * whose HTTP exchanges go to the sender threads: for the write calls of the SDK path only.
 */
export const clientOverSenders = (dynamodb: DynamoDBClient, senders: SenderPool): DynamoDBClient => {
  let byClient = clients.get(senders);
  if (!byClient) clients.set(senders, (byClient = new WeakMap()));
  let client = byClient.get(dynamodb);
  if (!client) {
    const { config } = dynamodb;
    client = createDynamoDBClient({
      region: config.region,
      credentials: config.credentials,
      maxAttempts: config.maxAttempts,
      ...(config.isCustomEndpoint && config.endpoint && { endpoint: config.endpoint }),
      requestHandler: senderRequestHandler(senders, DEFAULT_TIMEOUTS) as never,
    });
    byClient.set(dynamodb, client);
  }
  return client;
};
