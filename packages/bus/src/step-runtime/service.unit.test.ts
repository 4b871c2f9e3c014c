import { SecretBox } from '@interco/erpnext';
import { ConfigError } from '@interco/service';
import { describe, expect, it } from 'vitest';
import { loadStepServiceConfig } from './service.js';

const env = (more: Record<string, string> = {}) => ({
  INTERCO_SECRET_KEY: SecretBox.generateKeyText(),
  ...more,
});

describe('loadStepServiceConfig', () => {
  it('takes an ack wait from 1 s to 5 min (30 s by default)', () => {
    expect(loadStepServiceConfig('po_a', env()).config.STEP_ACK_WAIT_MS).toBe(30_000);
    expect(loadStepServiceConfig('po_a', env({ STEP_ACK_WAIT_MS: '300000' })).config.STEP_ACK_WAIT_MS).toBe(
      300_000,
    );
  });

  it('refuses an ack wait over 5 min (the heartbeat keeps messages alive, not ack_wait)', () => {
    expect(() => loadStepServiceConfig('po_a', env({ STEP_ACK_WAIT_MS: '300001' }))).toThrow(ConfigError);
    expect(() => loadStepServiceConfig('po_a', env({ STEP_ACK_WAIT_MS: '999' }))).toThrow(ConfigError);
  });

  it('takes the previous keys of a rotation, naming INTERCO_SECRET_KEY_PREVIOUS when one is wrong (never its value)', () => {
    const previous = SecretBox.generateKeyText();
    const { box } = loadStepServiceConfig('pr_a', env({ INTERCO_SECRET_KEY_PREVIOUS: previous }));
    expect(box.previousFingerprints).toEqual([SecretBox.fromKeyText(previous).fingerprint]);
    let thrown: unknown;
    try {
      loadStepServiceConfig('pr_a', env({ INTERCO_SECRET_KEY_PREVIOUS: `${previous},c2hvcnQ=` }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems).toEqual([
      {
        variable: 'INTERCO_SECRET_KEY_PREVIOUS',
        message: 'key 2 of 2 must be 32 bytes (base64 or hex); it decodes to 5 bytes',
      },
    ]);
    expect(JSON.stringify((thrown as ConfigError).problems)).not.toContain(previous);
  });
});
