import { describe, expect, it } from 'vitest';
import { parseCommand, runCli } from './cli.js';

describe('parseCommand', () => {
  it('reads rebuild and replay', () => {
    expect(parseCommand(['rebuild'])).toEqual({ command: 'rebuild', force: false });
    expect(parseCommand(['rebuild', '--force'])).toEqual({ command: 'rebuild', force: true });
    expect(parseCommand(['replay', '--from-sequence', '42'])).toEqual({
      command: 'replay',
      fromSequence: 42,
    });
    expect(parseCommand(['replay', '--from-time', '2026-01-05T10:00:00Z'])).toEqual({
      command: 'replay',
      fromTime: new Date('2026-01-05T10:00:00Z'),
    });
  });

  it.each([
    [[]],
    [['rebuild', '--from-sequence', '3']],
    [['replay']],
    [['replay', '--from-sequence', '0']],
    [['replay', '--from-sequence', '3', '--from-time', '2026-01-05T10:00:00Z']],
    [['replay', '--from-time', 'yesterday']],
    [['compact']],
    [['replay', '--from-sequence', '3', '--force']],
  ])('refuses %j', (args) => {
    expect(parseCommand(args)).toHaveProperty('problem');
  });
});

describe('runCli', () => {
  it('exits 2 with the usage on a bad command line, and on a bad environment', async () => {
    const lines: string[] = [];
    const io = { env: {}, stderr: (line: string) => lines.push(line) };
    expect(await runCli(['replay'], io)).toBe(2);
    expect(lines.join('\n')).toContain('usage:');
    lines.length = 0;
    expect(await runCli(['rebuild'], io)).toBe(2);
    expect(lines.join('\n')).toContain('MONGODB_URL');
  });
});
