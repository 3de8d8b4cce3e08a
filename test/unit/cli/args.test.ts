import { describe, expect, it } from 'vitest';
import { readPrefixes, settingArg, typeModeArg } from '../../../src/cli/args.ts';

const prefixes = (upload: string, report = 'reports/', rejected = 'rejected/') => ({
  uploadPrefix: upload,
  reportPrefix: report,
  rejectedPrefix: rejected,
});

describe('CLI flags that carry the function settings', () => {
  it('takes the prefixes the function takes: an empty upload prefix, no trailing slash', () => {
    expect(readPrefixes(prefixes('', 'out-reports', 'out-rejected'))).toEqual({
      upload: '',
      report: 'out-reports',
      rejected: 'out-rejected',
    });
  });

  it.each([
    [prefixes('incoming/', ''), /--report-prefix must not be empty/],
    [prefixes('incoming/', 'reports/', ''), /--rejected-prefix must not be empty/],
    [prefixes('reports/in/'), /--report-prefix must not hold --upload-prefix "reports\/in\/"/],
  ])('refuses %j, naming the flag', (args, message) => {
    expect(() => readPrefixes(args)).toThrow(message);
  });

  it.each([
    ['WRITE_CONCURRENCY', '65', /--concurrency must be a whole number from 1 to 64 \(got "65"\)/],
    ['MAX_WRITE_ATTEMPTS', '0', /--max-attempts must be a whole number from 1 to 100/],
  ] as const)('checks %s as the setting does', (name, text, message) => {
    expect(() => settingArg(name, text)).toThrow(message);
  });

  it('gives the number', () => {
    expect(settingArg('WRITE_CONCURRENCY', '8')).toBe(8);
  });

  it('checks --type-mode by the rule of TYPE_MODE', () => {
    expect(typeModeArg('string')).toBe('string');
    expect(() => typeModeArg('typed')).toThrow('--type-mode must be "infer" or "string"');
  });
});
