import { execFile } from 'node:child_process';
import { access, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/local/built-handler.ts';
import { describeDynamoDb } from '../../src/local/choose-dynamodb.ts';
import { SAMPLE as SAMPLE_FILES } from '../../src/local/sample.ts';
import { runSample } from '../../src/local/sample-run.ts';
import { startLocalStack } from '../../src/local/stack.ts';
import { CLI_PATH } from '../support/built-cli.ts';
import { createTable } from '../support/local-tables.ts';
import { startTestServers } from '../support/servers.ts';

// The README quotes what the code prints; these tests fail when the code prints something else,
// so that the README is updated with the change instead of drifting from it.

const SAMPLE = join(PROJECT_ROOT, SAMPLE_FILES.csv);

const markdownFiles = async (): Promise<string[]> => {
  const docs = (await readdir(join(PROJECT_ROOT, 'docs'))).filter((name) => name.endsWith('.md'));
  return ['README.md', 'infra/README.md', ...docs.map((name) => `docs/${name}`)];
};

/** The lines of a markdown text outside fenced code blocks, and the fenced blocks themselves. */
const splitMarkdown = (markdown: string) => {
  const prose: string[] = [];
  const blocks: string[][] = [];
  let block: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      if (block) blocks.push(block);
      block = block ? undefined : [];
    } else if (block) block.push(line);
    else prose.push(line);
  }
  return { prose, blocks };
};

/** The timing of a run changes from run to run; its counts and status do not. */
const untimed = (line: string) =>
  line
    .replace(/\(\d+ rows\/s, \d+ ms\)/, '(… rows/s, … ms)')
    .replace(/\(\d+ rows\/s, [\d.]+ s\)/, '(… rows/s, … s)');

/** The blocks of README.md and docs/local.md that quote npm start's output, without the `$ npm start` line. */
const quotedRuns = async () => {
  const quoted: { file: string; lines: string[] }[] = [];
  for (const file of ['README.md', 'docs/local.md']) {
    const { blocks } = splitMarkdown(await readFile(join(PROJECT_ROOT, file), 'utf8'));
    for (const block of blocks.filter((lines) =>
      lines.some((line) => line.startsWith('local stack up in ')),
    )) {
      quoted.push({ file, lines: block[0] === '$ npm start' ? block.slice(1) : block });
    }
  }
  return quoted;
};

/** Sets print in any order; the docs show them in the file's order. */
const sortedSets = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedSets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [
      name,
      (name === 'SS' || name === 'NS') && Array.isArray(inner) ? [...inner].sort() : sortedSets(inner),
    ]),
  );
};

describe('the examples that README.md and docs/ quote', () => {
  it('shows what npm start prints for the sample: status, counts, outputs, rejected rows, items', async () => {
    const quoted = await quotedRuns();
    expect(quoted.map(({ file }) => file)).toContain('README.md');

    const dataDir = await mkdtemp(join(tmpdir(), 'csv2ddb-readme-'));
    const printed: string[] = [];
    // As npm start runs the sample: with the schema that goes with it.
    const stack = await startLocalStack({ dataDir, schemaFile: join(PROJECT_ROOT, SAMPLE_FILES.schema) });
    let firstLine: RegExp;
    let modesLine: string | undefined;
    try {
      modesLine = describeDynamoDb(stack.dynamodb, stack.writeModes)[1];
      await runSample(stack, SAMPLE, (line) => printed.push(line), 30_000);
      // The first and last lines come from src/local/start.ts, around runSample.
      firstLine = new RegExp(
        `^local stack up in \\d+ ms: bucket ${stack.bucket}, table ${stack.tableName}, function ${stack.config.functionName}$`,
      );
    } finally {
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    }
    // npm start keeps its data in .csv2ddb/; this run kept it in a folder of its own.
    const asPrinted = printed.map((line) => untimed(line.replace(dataDir, '.csv2ddb')));

    for (const { file, lines } of quoted) {
      const [first = '', engine = '', modes = '', ...rest] = lines;
      const last = rest.pop() ?? '';
      expect(first, file).toMatch(firstLine);
      // Which DynamoDB runs depends on the machine (Java 17+ or not): the docs show DynamoDB Local.
      expect(engine, file).toMatch(/^DynamoDB: DynamoDB Local \(Java [\d.]+\): every write mode$/);
      expect(modes, file).toBe(modesLine);
      expect(last, file).toMatch(/^done in \d+\.\d s\. Keep it running with: npm start -- --watch$/);
      expect(rest, file).toHaveLength(asPrinted.length);
      rest.forEach((line, index) => {
        const actual = asPrinted[index] ?? '';
        // Items are shown cut short: `{"ID":1,"InstanceId":…,…}`.
        if (line.endsWith(',…}'))
          expect(actual.startsWith(line.slice(0, -2)), `${file}: ${actual}\nstarts with\n${line}`).toBe(true);
        else expect(untimed(line), file).toBe(actual);
      });
    }
  }, 60_000);

  it('is what the sample becomes under examples/schema.json: the item of ID 3 and the rejected rows', async () => {
    const schemaDoc = await readFile(join(PROJECT_ROOT, 'docs/schema.md'), 'utf8');
    const start = schemaDoc.indexOf('### A worked example');
    expect(start, 'a "### A worked example" section').toBeGreaterThan(-1);
    const section = schemaDoc.slice(start, schemaDoc.indexOf('\n### ', start + 1));
    const [record = [], item = []] = splitMarkdown(section).blocks;
    const prose = splitMarkdown(section).prose.join(' ');
    const rejections = [...prose.matchAll(/row (\d+)\s+\(`([^`]+)`\)/g)].map(([, row, message]) => ({
      row: Number(row),
      message,
    }));
    const sample = (await readFile(SAMPLE, 'utf8')).split(/\r?\n/);
    for (const line of record) expect(sample, 'the record shown is in the sample').toContain(line);

    const infraDir = await mkdtemp(join(tmpdir(), 'csv2ddb-readme-schema-'));
    await copyFile(join(PROJECT_ROOT, 'infra/variables.tf'), join(infraDir, 'variables.tf'));
    await copyFile(join(PROJECT_ROOT, 'examples/schema.json'), join(infraDir, 'schema.json'));
    await writeFile(
      join(infraDir, 'terraform.tfvars'),
      `region = "eu-west-1"
project = "docs"
table = {
  name           = "docs-items"
  hash_key       = { name = "ID", type = "N" }
  range_key      = null
  billing_mode   = "PAY_PER_REQUEST"
  read_capacity  = 1
  write_capacity = 1
}
schema_file = "schema.json"
`,
    );
    const stack = await startLocalStack({ infraDir });
    try {
      const reported = stack.nextReport('incoming/ec2-instances.csv', 30_000);
      await stack.upload('incoming/ec2-instances.csv', await readFile(SAMPLE));
      const report = await reported;
      expect(prose).toContain(`the file is \`${report.status}\``);
      expect(report.errors.map(({ row, message }) => ({ row, message }))).toEqual(rejections);

      const { Item } = await stack.servers.dynamodb.send(
        new GetItemCommand({ TableName: stack.tableName, Key: { ID: { N: '3' } } }),
      );
      // The docs name a bucket and a time of their own; the rest is as the code writes it.
      const shown = JSON.parse(item.join('\n'));
      shown.source.S = shown.source.S.replace(/^[^/]+\//, `${stack.bucket}/`);
      shown.ingestedAt.S = report.startedAt;
      expect(sortedSets(Item)).toEqual(sortedSets(shown));
    } finally {
      await stack.close();
      await rm(infraDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the csv2ddb ingest example in docs/cli.md', () => {
  it('prints what the docs show for the sample, and exits with the code they show', async () => {
    const { blocks } = splitMarkdown(await readFile(join(PROJECT_ROOT, 'docs/cli.md'), 'utf8'));
    const shown = blocks.find((lines) => lines[0]?.startsWith('$ csv2ddb ingest examples/ec2-instances.csv'));
    expect(shown, 'a block starting with "$ csv2ddb ingest examples/ec2-instances.csv"').toBeDefined();
    const [command = '', ...after] = shown ?? [];
    const echo = after.indexOf('$ echo $?');
    const output = after.slice(0, echo);
    const exitCode = Number(after[echo + 1]);

    // The CLI runs where the example's relative paths hold, against an on-demand table of the name shown.
    const servers = await startTestServers();
    const work = await mkdtemp(join(tmpdir(), 'csv2ddb-readme-cli-'));
    try {
      await mkdir(join(work, 'examples'));
      await copyFile(SAMPLE, join(work, 'examples/ec2-instances.csv'));
      const args = command.slice('$ csv2ddb '.length).split(' ');
      await createTable(servers.dynamodb, args[args.indexOf('--table') + 1] ?? '');
      const run = await promisify(execFile)(process.execPath, [CLI_PATH, ...args], {
        cwd: work,
        env: { ...process.env, ...servers.env, NODE_NO_WARNINGS: '1' },
      }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
      );
      expect(run.stdout.trimEnd().split('\n').map(untimed), run.stderr).toEqual(output.map(untimed));
      expect(run.code).toBe(exitCode);
    } finally {
      await servers.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of splitMarkdown(markdown).prose) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('links in README.md, infra/README.md and docs/*.md', () => {
  it('points to no SPEC: the contract in this repository is docs/behaviour.md', async () => {
    const pointers: string[] = [];
    for (const file of await markdownFiles()) {
      const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
      text.split('\n').forEach((line, index) => {
        if (/\bSPEC\b/.test(line)) pointers.push(`${file}:${index + 1}: ${line}`);
      });
    }
    expect(pointers).toEqual([]);
  });

  it('every relative link names a file that exists, and every #anchor a heading in it', async () => {
    const broken: string[] = [];
    for (const file of await markdownFiles()) {
      const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
      const links = splitMarkdown(text)
        .prose.join('\n')
        .replace(/`[^`\n]*`/g, '')
        .matchAll(/\]\(([^)\s]+)\)/g);
      for (const [, target = ''] of links) {
        if (/^[a-z]+:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? join(PROJECT_ROOT, file) : join(PROJECT_ROOT, dirname(file), path);
        if (!(await exists(resolved))) {
          broken.push(`${file}: ${target} (no ${relative(PROJECT_ROOT, resolved)})`);
        } else if (anchor !== undefined && resolved.endsWith('.md')) {
          if (!anchorsOf(await readFile(resolved, 'utf8')).has(anchor))
            broken.push(`${file}: ${target} (no heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
