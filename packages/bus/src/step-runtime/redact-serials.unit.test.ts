import type { TransferRequest } from '@interco/contracts';
import { describe, expect, it } from 'vitest';
import { sampleRequest } from '../test-support/store-fixtures.js';
import { redactSerials, SerialRedactor } from './redact-serials.js';

function manifestOf(...items: string[][]): Pick<TransferRequest, 'items'> {
  return {
    items: items.map((serials, i) => ({
      item_code: `ITEM-${i}`,
      qty: serials.length,
      rate: '1.00',
      transfer_rate: '1.00',
      serials,
    })),
  };
}

describe('redactSerials', () => {
  const manifest = manifestOf(['SN-1', 'SN-10', 'PIN 0042'], ['A&B', 'x/y', 'PIN-É']);

  it('replaces each serial by its request path', () => {
    expect(
      redactSerials(['Serial No SN-1 is already present in the warehouse Stores - A.'], manifest),
    ).toEqual(['Serial No [serial items[0].serials[0]] is already present in the warehouse Stores - A.']);
  });

  it('compares case-insensitively and accent-insensitively, as ERPNext does', () => {
    expect(redactSerials(['Serial No sn-10 and pin-e and PIN-É'], manifest)).toEqual([
      'Serial No [serial items[0].serials[1]] and [serial items[1].serials[2]] and [serial items[1].serials[2]]',
    ]);
  });

  it('finds serials in HTML: bold, strong, links, a list in one tag', () => {
    expect(
      redactSerials(
        [
          'Serial No <b>SN-1</b> is not present',
          'Serial Nos <strong>SN-1, SN-10</strong> does not belong to Item <strong>ITEM-0</strong>',
          '<a href="/app/serial-no/SN-10">SN-10</a>',
        ],
        manifest,
      ),
    ).toEqual([
      'Serial No <b>[serial items[0].serials[0]]</b> is not present',
      'Serial Nos <strong>[serial items[0].serials[0]], [serial items[0].serials[1]]</strong> does not belong to Item <strong>ITEM-0</strong>',
      '<a href="/app/serial-no/[serial items[0].serials[1]]">[serial items[0].serials[1]]</a>',
    ]);
  });

  it('decodes HTML entities and percent-encoding before comparing', () => {
    expect(
      redactSerials(
        [
          'Serial No <b>A&amp;B</b> and <b>A&#38;B</b>',
          '<a href="/app/serial-no/PIN%200042">PIN 0042</a> and <a href="/app/serial-no/x%2Fy">x/y</a>',
          'decomposed: PIN-E\u0301 and percent: PIN-%C3%89',
        ],
        manifest,
      ),
    ).toEqual([
      'Serial No <b>[serial items[1].serials[0]]</b> and <b>[serial items[1].serials[0]]</b>',
      '<a href="/app/serial-no/[serial items[0].serials[2]]">[serial items[0].serials[2]]</a> and <a href="/app/serial-no/[serial items[1].serials[1]]">[serial items[1].serials[1]]</a>',
      'decomposed: [serial items[1].serials[2]] and percent: [serial items[1].serials[2]]',
    ]);
  });

  it('takes a serial only on its own: not inside a longer name, the longest first', () => {
    expect(redactSerials(['SN-100 SN-1x xSN-1 SN-10 SN-1.'], manifest)).toEqual([
      'SN-100 SN-1x xSN-1 [serial items[0].serials[1]] [serial items[0].serials[0]].',
    ]);
  });

  it('leaves a message without serials as it is', () => {
    const messages = ['Could not find Price List: Lista Inexistente', '', '100% & more'];
    expect(redactSerials(messages, manifest)).toEqual(messages);
  });

  it('stops scanning past maxLength (the caller cuts there), never leaving a serial before it', () => {
    const long = `${'SN-1 '.repeat(2_000)}`;
    const out = new SerialRedactor([{ serial: 'SN-1', path: 'items[0].serials[0]' }]).redact(long, 100);
    expect(out.slice(0, 100)).not.toContain('SN-1');
    expect(out.length).toBeLessThan(long.length * 7);
  });

  it('is linear in the message, whatever the number of serials (100,000)', () => {
    const big = sampleRequest(100_000, 10, 'PIN');
    const redactor = SerialRedactor.of(big);
    expect(redactor.size).toBe(100_000);
    const serial = big.items[7]?.serials[4_321] ?? '';
    const message = `Serial No <strong>${serial}</strong> is already present. ${'Lorem ipsum dolor sit amet. '.repeat(140)}`;
    const started = performance.now();
    let out = '';
    for (let i = 0; i < 50; i++) out = redactor.redact(message);
    const perMessage = (performance.now() - started) / 50;
    expect(out).toContain('[serial items[7].serials[4321]]');
    expect(out).not.toContain(serial);
    expect(perMessage).toBeLessThan(20);
  });
});
