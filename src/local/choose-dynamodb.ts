import { ConfigError } from '../core/errors.ts';
import { checkJava, MIN_JAVA } from './java.ts';
import type { DynamoDbServer } from './servers.ts';
import { needsPartiql } from './write-modes.ts';

export type DynamoDbWanted = 'auto' | DynamoDbServer;

export type DynamoDbChoice = {
  readonly server: DynamoDbServer;
  /** One line for the user: which DynamoDB, why, and what it means for the write modes. */
  readonly summary: string;
};

/**
 * `auto`: DynamoDB Local when Java 17+ is there (it speaks PartiQL, so every write mode runs),
 * dynalite otherwise (put and delete only: the other write modes fail their files, saying why).
 */
export const chooseDynamoDb = async (wanted: DynamoDbWanted = 'auto'): Promise<DynamoDbChoice> => {
  if (wanted === 'dynalite') {
    return {
      server: 'dynalite',
      summary: 'dynalite (as asked): write modes put and delete only, the others need DynamoDB Local',
    };
  }
  const java = await checkJava();
  if (java.ok) {
    return {
      server: 'dynamodb-local',
      summary: `DynamoDB Local (Java ${java.version}): every write mode`,
    };
  }
  if (wanted === 'dynamodb-local') {
    throw new ConfigError(`DynamoDB Local needs Java ${MIN_JAVA} or later: ${java.reason}`);
  }
  return {
    server: 'dynalite',
    summary: `dynalite (no Java ${MIN_JAVA}+: ${java.reason}): write modes put and delete only; upsert, :absent and :newer need Java ${MIN_JAVA}+ for DynamoDB Local`,
  };
};

/** What `npm start` prints about the DynamoDB it runs and the write modes tfvars allows. */
export const describeDynamoDb = (choice: DynamoDbChoice, writeModes: readonly string[]): string[] => {
  const partiql = writeModes.filter(needsPartiql);
  return [
    `DynamoDB: ${choice.summary}`,
    `write modes: ${writeModes.join(', ') || '(none)'} (write_modes in infra/terraform.tfvars, and schema_file's)`,
    ...(choice.server === 'dynalite' && partiql.length > 0
      ? [
          `warning: ${partiql.join(', ')} need${partiql.length === 1 ? 's' : ''} PartiQL, which dynalite lacks: such files fail until Java ${MIN_JAVA}+ is installed`,
        ]
      : []),
  ];
};
