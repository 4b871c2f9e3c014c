import { describe, expect, it } from 'vitest';
import { instanceBody } from './instances.js';
import { parseSimLine } from './sim-process.js';

const line =
  '{"site":"company-a","url":"http://127.0.0.1:8100","api_key":"dbe7e3e2c7622fb","api_secret":"a300cfa4e068132"}';

describe('parseSimLine', () => {
  it('reads a site line of the simulator and nothing else', () => {
    expect(parseSimLine(line)).toEqual({
      site: 'company-a',
      url: 'http://127.0.0.1:8100',
      api_key: 'dbe7e3e2c7622fb',
      api_secret: 'a300cfa4e068132',
    });
    expect(parseSimLine('erpnext-sim: site company-a: listening')).toBeUndefined();
    expect(parseSimLine('{"site":"company-a"}')).toBeUndefined();
  });
});

describe('instanceBody', () => {
  it('registers a demo site under its name, with its company name, URL and credentials', () => {
    const site = parseSimLine(line);
    if (site === undefined) throw new Error('unreachable');
    expect(instanceBody(site)).toEqual({
      id: 'company-a',
      name: 'Compania A',
      base_url: 'http://127.0.0.1:8100',
      api_key: 'dbe7e3e2c7622fb',
      api_secret: 'a300cfa4e068132',
    });
    expect(() => instanceBody({ ...site, site: 'company-z' })).toThrow(/unknown site "company-z"/);
  });
});
