import { describe, expect, it } from 'vitest';
import { cliEnv } from './cli-runner.js';
import { firstTransferId, parseJson, summaryTable, transferState } from './run-demo.js';

describe('reading the CLI answers', () => {
  it('finds the first transfer of a list answer', () => {
    expect(
      firstTransferId({ transfers: [{ transfer_id: 'tr_2' }, { transfer_id: 'tr_1' }], next_cursor: null }),
    ).toBe('tr_2');
    expect(firstTransferId({ transfers: [], next_cursor: null })).toBeUndefined();
    expect(firstTransferId(parseJson('not json'))).toBeUndefined();
    expect(firstTransferId({ transfers: [{ id: 'x' }] })).toBeUndefined();
  });

  it('reads the status and the last error messages of a transfer', () => {
    const failed = {
      status: 'failed',
      last_error: { step: 'po_a', kind: 'permanent', messages: ['Warehouse "X - CB" does not exist'] },
    };
    expect(transferState(failed)).toEqual({
      status: 'failed',
      errors: ['Warehouse "X - CB" does not exist'],
    });
    expect(transferState({ status: 'completed', last_error: null })).toEqual({
      status: 'completed',
      errors: [],
    });
    expect(transferState(undefined)).toEqual({ status: undefined, errors: [] });
  });
});

describe('summaryTable', () => {
  it('shows each transfer with expected and actual state, marking a mismatch', () => {
    const table = summaryTable([
      { title: '(a) completes', transferId: 'tr_A', expected: 'completed', actual: 'completed' },
      { title: '(c) cancelled', transferId: undefined, expected: 'cancelled', actual: 'not submitted' },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^transfer\s+id\s+expected\s+actual$/);
    expect(lines[1]).toMatch(/^-+ +-+ +-+ +-+ +-+$/);
    expect(lines[2]).toMatch(/^\(a\) completes\s+tr_A\s+completed\s+completed\s+ok$/);
    expect(lines[3]).toMatch(/^\(c\) cancelled\s+-\s+cancelled\s+not submitted\s+MISMATCH$/);
  });
});

describe('cliEnv', () => {
  it('points the CLI at the stack config and drops what would override it', () => {
    const env = cliEnv(
      {
        PATH: '/bin',
        HOME: '/home/u',
        INTERCO_TOKEN: 'x',
        INTERCO_INTAKE_URL: 'http://elsewhere',
        INTERCO_TRACKER_URL: 'http://elsewhere',
        INTERCO_TOKEN_FILE: '/tmp/token',
        INTERCO_PROFILE: 'prod',
        INTERCO_CONFIG: '/other.json',
        INTERCO_SOME_LATER_SETTING: '1',
        XDG_CONFIG_HOME: '/xdg',
        NO_COLOR: '1',
      },
      '/repo/.interco/cli.json',
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      NO_COLOR: '1',
      INTERCO_CONFIG: '/repo/.interco/cli.json',
    });
  });
});
