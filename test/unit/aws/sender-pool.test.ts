import { describe, expect, it } from 'vitest';
import { MAX_THREADS } from '../../../src/app/settings.ts';
import { threadsFor } from '../../../src/aws/sender-pool.ts';

const memory = (megabytes: number) => ({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(megabytes) });

describe('threadsFor()', () => {
  it.each([1, 2, 4])('takes an explicit %i as it is, whatever the memory or CPUs', (threads) => {
    expect(threadsFor(threads, memory(128), MAX_THREADS, 1)).toBe(threads);
    expect(threadsFor(threads, {}, MAX_THREADS, 16)).toBe(threads);
  });

  it.each([
    [128, 1],
    [1024, 1],
    [1769, 1],
    [2653, 1],
    [2654, 2],
    [3008, 2],
    [3538, 2],
    [5307, 3],
  ])('auto with %i MB of memory: %i thread(s) (one per 1,769 MB, rounded)', (megabytes, threads) => {
    expect(threadsFor('auto', memory(megabytes), MAX_THREADS, 16)).toBe(threads);
  });

  it('auto at 10,240 MB (6 vCPUs): at most the CPUs and at most max', () => {
    expect(threadsFor('auto', memory(10_240), 16, 16)).toBe(6);
    expect(threadsFor('auto', memory(10_240), MAX_THREADS, 16)).toBe(Math.min(6, 16, MAX_THREADS));
    expect(threadsFor('auto', memory(10_240), MAX_THREADS, 2)).toBe(2);
    expect(threadsFor('auto', memory(10_240), 3, 5)).toBe(3);
  });

  it('auto outside Lambda (no memory setting): the CPUs, at most max, at least one', () => {
    expect(threadsFor('auto', {}, MAX_THREADS, 2)).toBe(2);
    expect(threadsFor('auto', {}, MAX_THREADS, 64)).toBe(MAX_THREADS);
    expect(threadsFor('auto', {}, MAX_THREADS, 1)).toBe(1);
    expect(threadsFor('auto', {}, MAX_THREADS, 0)).toBe(1);
    expect(threadsFor('auto', { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '' }, MAX_THREADS, 3)).toBe(3);
    expect(threadsFor('auto', { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'lots' }, MAX_THREADS, 3)).toBe(3);
  });
});
