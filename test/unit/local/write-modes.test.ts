import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktn/hcl2json';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/local/built-handler.ts';
import { describeDynamoDb } from '../../../src/local/choose-dynamodb.ts';
import { javaMajor } from '../../../src/local/java.ts';
import { readInfraConfig } from '../../../src/local/tfvars.ts';
import { needsPartiql, schemaWriteModes, WRITE_MODE_ACTIONS } from '../../../src/local/write-modes.ts';

const temporary: string[] = [];
afterAll(async () => {
  for (const dir of temporary) await rm(dir, { recursive: true, force: true });
});

const readTfvars = async (extra: string) => {
  const dir = await mkdtemp(join(tmpdir(), 'csv2ddb-modes-'));
  temporary.push(dir);
  await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(dir, 'variables.tf'));
  await writeFile(
    join(dir, 'terraform.tfvars'),
    `region = "eu-west-1"\nproject = "demo"\ntable = { name = "demo-items", hash_key = { name = "ID", type = "N" } }\n${extra}\n`,
  );
  return readInfraConfig(dir);
};

describe('javaMajor()', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment', 17, '17.0.15'],
    ['java version "21" 2023-09-19 LTS', 21, '21'],
    ['openjdk version "11.0.2" 2019-01-15', 11, '11.0.2'],
    ['java version "1.8.0_402"', 8, '1.8.0_402'],
  ])('reads %j as Java %i', (output, major, version) => {
    expect(javaMajor(output)).toEqual({ major, version });
  });

  it('finds no version in other output', () => {
    expect(javaMajor('bash: java: command not found')).toBeUndefined();
  });
});

describe('schemaWriteModes(): the modes a schema asks for, as infra/write_modes.tf derives them', () => {
  it.each([
    ['no write block', { columns: {} }, []],
    ['an empty write block: put', { write: {} }, ['put']],
    ['upsert under newer', { write: { mode: 'upsert', condition: 'newer', version: 'V' } }, ['upsert:newer']],
    ['delete', { write: { mode: 'delete' } }, ['delete']],
    ['an op column: every mode', { write: { op: '_op' } }, ['put', 'upsert', 'delete']],
    [
      'an op column under absent: no delete',
      { write: { op: '_op', condition: 'absent' } },
      ['put:absent', 'upsert:absent'],
    ],
    ['not a schema', 'text', []],
  ])('%s', (_case, schema, modes) => {
    expect(schemaWriteModes(schema)).toEqual(modes);
  });

  it('grants what infra/modules/execution_role/main.tf grants, mode for mode', async () => {
    const main = await readFile(join(PROJECT_ROOT, 'infra/modules/execution_role/main.tf'), 'utf8');
    const { locals } = (await parse('main.tf', main)) as { locals: Record<string, unknown>[] };
    const granted = locals.find((block) => 'write_mode_actions' in block)?.write_mode_actions;
    expect(granted).toEqual(WRITE_MODE_ACTIONS);
    // Every mode infra/variables.tf admits has its actions.
    const modes = ['put', 'upsert', 'delete'].flatMap((m) => [m, `${m}:absent`, `${m}:newer`]);
    expect(Object.keys(WRITE_MODE_ACTIONS).sort()).toEqual(modes.filter((m) => m !== 'delete:absent').sort());
  });

  it('says which modes send PartiQL: all but put and delete', () => {
    const modes = ['put', 'delete', 'upsert', 'put:absent', 'upsert:newer', 'delete:newer'];
    expect(modes.filter(needsPartiql)).toEqual(['upsert', 'put:absent', 'upsert:newer', 'delete:newer']);
  });
});

describe('write_modes in terraform.tfvars', () => {
  it('defaults to put, as infra/variables.tf', async () => {
    expect((await readTfvars('')).writeModes).toEqual(['put']);
  });

  it('reads the modes listed', async () => {
    expect((await readTfvars('write_modes = ["put", "upsert:newer"]')).writeModes).toEqual([
      'put',
      'upsert:newer',
    ]);
  });

  it.each([
    ['delete:absent', /write_modes\.0 must not hold delete:absent/],
    ['merge', /write_modes\.0 must hold put, upsert or delete/],
  ])('refuses %s, naming write_modes', async (mode, message) => {
    await expect(readTfvars(`write_modes = ["${mode}"]`)).rejects.toThrow(message);
  });
});

describe('describeDynamoDb(): what npm start prints', () => {
  const local = {
    server: 'dynamodb-local',
    summary: 'DynamoDB Local (Java 17.0.15): every write mode',
  } as const;
  const dynalite = { server: 'dynalite', summary: 'dynalite (no Java 17+: java: not found): …' } as const;

  it('names the DynamoDB and the write modes', () => {
    expect(describeDynamoDb(local, ['put', 'upsert:newer'])).toEqual([
      'DynamoDB: DynamoDB Local (Java 17.0.15): every write mode',
      "write modes: put, upsert:newer (write_modes in infra/terraform.tfvars, and schema_file's)",
    ]);
  });

  it('warns when dynalite cannot run a mode that is configured', () => {
    expect(describeDynamoDb(dynalite, ['put', 'upsert', 'delete:newer'])[2]).toBe(
      'warning: upsert, delete:newer need PartiQL, which dynalite lacks: such files fail until Java 17+ is installed',
    );
    expect(describeDynamoDb(dynalite, ['put', 'delete'])).toHaveLength(2);
  });
});
