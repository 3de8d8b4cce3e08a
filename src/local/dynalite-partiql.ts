import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The PartiQL operations, which dynalite does not implement. */
const PARTIQL_TARGETS = new Set(
  ['BatchExecuteStatement', 'ExecuteStatement', 'ExecuteTransaction'].map((op) => `DynamoDB_20120810.${op}`),
);

/** Which write modes send each PartiQL statement first (docs/write-modes.md). */
const MODES_BY_STATEMENT: Record<string, string> = {
  INSERT: 'put:absent or upsert:absent (a PartiQL INSERT)',
  UPDATE: 'upsert, put:newer or upsert:newer (a PartiQL UPDATE)',
  DELETE: 'delete:newer (a PartiQL DELETE)',
};

/** The end of every answer: what to do. */
export const DYNALITE_PARTIQL_MESSAGE =
  'needs DynamoDB Local, which needs Java 17 or later: this local stack runs dynalite, which has no PartiQL. ' +
  'Install Java 17+ (java on the PATH, or JAVA=/path/to/java) and restart npm start';

/** The first statement's verb (INSERT, UPDATE, DELETE, SELECT), from any of the three operations. */
const firstVerb = (body: string): string | undefined => {
  try {
    const request = JSON.parse(body) as {
      Statement?: string;
      Statements?: { Statement?: string }[];
      TransactStatements?: { Statement?: string }[];
    };
    const statement =
      request.Statement ?? request.Statements?.[0]?.Statement ?? request.TransactStatements?.[0]?.Statement;
    return /^\s*([A-Za-z]+)/.exec(statement ?? '')?.[1]?.toUpperCase();
  } catch {
    return undefined;
  }
};

/**
 * What a PartiQL call to the local stack's dynalite answers, naming the write modes that send it:
 * `BatchExecuteStatement: write mode upsert, put:newer or upsert:newer (a PartiQL UPDATE) needs …`.
 */
export const dynalitePartiqlMessage = (operation: string, body: string): string => {
  const modes = MODES_BY_STATEMENT[firstVerb(body) ?? ''];
  return `${operation}: ${modes ? `write mode ${modes}` : 'PartiQL (write modes upsert, :absent and :newer)'} ${DYNALITE_PARTIQL_MESSAGE}`;
};

const answer = (response: ServerResponse, message: string) => {
  const body = JSON.stringify({ __type: 'com.amazon.coral.service#UnknownOperationException', message });
  response.writeHead(400, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
};

/**
 * dynalite answers an operation it does not know with a bare UnknownOperationException (HTTP 400,
 * not retried); this puts a handler in front of it that answers the PartiQL ones with the same
 * error and a message saying which write mode needs what. Every other request goes to dynalite.
 */
export const explainPartiqlOnDynalite = (server: Server): void => {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && PARTIQL_TARGETS.has(target)) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.once('end', () =>
        answer(
          response,
          dynalitePartiqlMessage(target.split('.')[1] as string, Buffer.concat(chunks).toString('utf8')),
        ),
      );
      return;
    }
    for (const handler of handlers) handler.call(server, request, response);
  });
};
