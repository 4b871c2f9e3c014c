import { describe, expect, it } from 'vitest';
import { cliEnv } from './cli-runner.js';
import { firstTransferId, parseJson, summaryTable, transferState } from './run-demo.js';

/** A step as the tracker shows it, not started. */
const step = {
  status: 'pending',
  attempts: 0,
  documents: [],
  cancelled_documents: [],
  last_error: null,
  waiting: null,
  started_at: null,
  finished_at: null,
  duration_ms: null,
};

/** A transfer as `transfer get --json` prints it (the tracker's TransferView). */
function view(id: string, status: string, lastError: unknown = null) {
  return {
    transfer_id: id,
    status,
    stuck: false,
    current_step: null,
    failed_step: null,
    generation: 1,
    created_at: '2026-12-05T10:00:00.000Z',
    updated_at: '2026-12-05T10:00:05.000Z',
    request: null,
    steps: { po_a: step, pr_a: step, dn_a: step, pr_b: step },
    last_error: lastError,
  };
}

describe('reading the CLI answers', () => {
  it('finds the first transfer of a list answer', () => {
    expect(
      firstTransferId({ transfers: [view('tr_2', 'pending'), view('tr_1', 'completed')], next_cursor: null }),
    ).toBe('tr_2');
    expect(firstTransferId({ transfers: [], next_cursor: null })).toBeUndefined();
    expect(firstTransferId(parseJson('not json'))).toBeUndefined();
    expect(firstTransferId({ transfers: [{ id: 'x' }], next_cursor: null })).toBeUndefined();
  });

  it('reads the status and the last error messages of a transfer', () => {
    const failed = view('tr_1', 'failed', {
      step: 'po_a',
      kind: 'permanent',
      messages: ['Warehouse "X - CB" does not exist'],
    });
    expect(transferState(failed)).toEqual({
      status: 'failed',
      errors: ['Warehouse "X - CB" does not exist'],
    });
    expect(transferState(view('tr_1', 'completed'))).toEqual({ status: 'completed', errors: [] });
    expect(transferState(undefined)).toEqual({ status: undefined, errors: [] });
    expect(transferState({ status: 'completed' })).toEqual({ status: undefined, errors: [] });
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
