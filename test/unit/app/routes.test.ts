import { describe, expect, it } from 'vitest';
import { routeOf } from '../../../src/app/routes.ts';
import { readSettings } from '../../../src/app/settings.ts';
import { selectTasks } from '../../../src/app/tasks.ts';
import { type FileTask, toContinuation } from '../../../src/core/continuation.ts';
import { s3Event } from '../../../src/core/s3-event.ts';

const settingsWith = (env: Record<string, string>) =>
  readSettings({
    SOURCE_BUCKET: 'source',
    DATASETS: JSON.stringify({
      'orders/': { table: 'Orders', schemaKey: 'config/orders.json' },
      'orders/eu/': { table: 'OrdersEU', schema: { otherColumns: 'string' } },
      'customers/': { table: 'Customers' },
    }),
    ...env,
  });

describe('routeOf()', () => {
  const settings = settingsWith({ TABLE_NAME: 'Items', SCHEMA: '{"otherColumns":"drop"}' });

  it.each([
    ['orders/2024-05.csv', { table: 'Orders', dataset: 'orders/', schema: { s3Key: 'config/orders.json' } }],
    [
      'orders/eu/2024-05.csv',
      { table: 'OrdersEU', dataset: 'orders/eu/', schema: { inline: '{"otherColumns":"string"}' } },
    ],
    ['orders/euro.csv', { table: 'Orders', dataset: 'orders/', schema: { s3Key: 'config/orders.json' } }],
    ['customers/a/b/c.csv', { table: 'Customers', dataset: 'customers/' }],
    // Not under "orders/": the sub-prefix is a folder, not the start of a name.
    ['orders.csv', { table: 'Items', schema: { inline: '{"otherColumns":"drop"}' } }],
    ['Orders/x.csv', { table: 'Items', schema: { inline: '{"otherColumns":"drop"}' } }],
  ])('routes %s by the longest matching sub-prefix', (rest, route) => {
    expect(routeOf(rest, settings)).toEqual(route);
  });

  it('has no route for a key no dataset takes when TABLE_NAME is not set', () => {
    expect(routeOf('other/x.csv', settingsWith({}))).toBeUndefined();
    expect(routeOf('customers/x.csv', settingsWith({}))).toEqual({
      table: 'Customers',
      dataset: 'customers/',
    });
  });
});

describe('selectTasks() with DATASETS', () => {
  const event = {
    Records: ['incoming/orders/a.csv', 'incoming/other/b.csv'].flatMap(
      (key) => s3Event({ bucket: 'source', key }).Records,
    ),
  };

  it('skips the keys no dataset takes, when TABLE_NAME is not set', () => {
    const { tasks, skipped } = selectTasks(event, settingsWith({}), new Date());
    expect(tasks.map((task) => task.key)).toEqual(['incoming/orders/a.csv']);
    expect(skipped).toEqual([
      {
        bucket: 'source',
        key: 'incoming/other/b.csv',
        reason: 'key matches no dataset of DATASETS, and TABLE_NAME is not set',
      },
    ]);
  });

  it('keeps them for TABLE_NAME when it is set', () => {
    const { tasks, skipped } = selectTasks(event, settingsWith({ TABLE_NAME: 'Items' }), new Date());
    expect(tasks.map((task) => task.key)).toEqual(['incoming/orders/a.csv', 'incoming/other/b.csv']);
    expect(skipped).toEqual([]);
  });

  it('routes a continuation as it routed the file', () => {
    const settings = settingsWith({});
    const [task] = selectTasks(event, settings, new Date()).tasks;
    const again = selectTasks(
      JSON.parse(JSON.stringify(toContinuation(task as FileTask))),
      settings,
      new Date(),
    );
    expect(again.tasks.map((t) => [t.key, routeOf(t.rest, settings)?.table])).toEqual([
      ['incoming/orders/a.csv', 'Orders'],
    ]);
  });
});
