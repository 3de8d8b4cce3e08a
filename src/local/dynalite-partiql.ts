import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The PartiQL operations, which dynalite does not implement. */
const PARTIQL_TARGETS = new Set(
  ['BatchExecuteStatement', 'ExecuteStatement', 'ExecuteTransaction'].map((op) => `DynamoDB_20120810.${op}`),
);

/**
 * What a PartiQL call to the local stack's dynalite answers: the write modes that send PartiQL
 * (docs/write-modes.md) fail their file with this message in the report.
 */
export const DYNALITE_PARTIQL_MESSAGE =
  'this local stack runs dynalite, which has no PartiQL (BatchExecuteStatement): the write modes ' +
  'upsert, :absent and :newer need DynamoDB Local, which needs Java 17 or later. ' +
  'Install Java 17+ (java on the PATH, or JAVA=/path/to/java) and restart npm start';

const answer = (response: ServerResponse, target: string) => {
  const operation = target.split('.')[1];
  const body = JSON.stringify({
    __type: 'com.amazon.coral.service#UnknownOperationException',
    message: `${operation}: ${DYNALITE_PARTIQL_MESSAGE}`,
  });
  response.writeHead(400, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
};

/**
 * dynalite answers an operation it does not know with a bare UnknownOperationException; this puts
 * a message in front of its request handler that says what to do instead, for the PartiQL ones.
 * Every other request goes to dynalite untouched.
 */
export const explainPartiqlOnDynalite = (server: Server): void => {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && PARTIQL_TARGETS.has(target)) {
      request.resume();
      request.once('end', () => answer(response, target));
      return;
    }
    for (const handler of handlers) handler.call(server, request, response);
  });
};
