import { describe, expect, it } from 'vitest';
import {
  type InstanceFields,
  instanceBody,
  normalizedBaseUrl,
  preflightBody,
  SAMPLE_PREFLIGHT_REQUEST,
} from './instance-form.js';

const fields: InstanceFields = {
  id: 'site-a',
  name: 'Site A',
  base_url: 'https://a.example.com',
  api_key: 'key',
  api_secret: 'secret',
  worker_timeout_ms: '',
  write_timeout_ms: '',
  read_timeout_ms: ' 30000 ',
  max_in_flight: '',
};

describe('instanceBody', () => {
  it('adds with every required field and the numbers given', () => {
    expect(instanceBody(fields, 'add')).toEqual({
      ok: true,
      body: {
        id: 'site-a',
        name: 'Site A',
        base_url: 'https://a.example.com',
        api_key: 'key',
        api_secret: 'secret',
        read_timeout_ms: 30000,
      },
    });
  });

  it('on edit leaves out the id and empty credentials (intake keeps the stored ones)', () => {
    const result = instanceBody({ ...fields, api_key: '', api_secret: '' }, 'edit');
    expect(result).toEqual({
      ok: true,
      body: { name: 'Site A', base_url: 'https://a.example.com', read_timeout_ms: 30000 },
    });
  });

  it('lists every problem', () => {
    const result = instanceBody(
      { ...fields, id: 'bad id', name: ' ', base_url: 'ftp://x', api_secret: '', max_in_flight: '2.5' },
      'add',
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: 'id', problem: 'instance_id' },
        { path: 'name', problem: 'required' },
        { path: 'base_url', problem: 'url' },
        { path: 'api_secret', problem: 'required' },
        { path: 'max_in_flight', problem: 'whole_number' },
      ],
    });
  });
});

describe('instanceBody: a new address needs the credentials again', () => {
  const edit = {
    id: 'site-a',
    name: 'Site A',
    base_url: 'https://a.example.test',
    api_key: '',
    api_secret: '',
    worker_timeout_ms: '',
    write_timeout_ms: '',
    read_timeout_ms: '',
    max_in_flight: '',
  };
  it('keeps the stored credentials when the address is the same', () => {
    expect(instanceBody(edit, 'edit', 'https://a.example.test')).toEqual({
      ok: true,
      body: { name: 'Site A', base_url: 'https://a.example.test' },
    });
  });
  it('refuses a changed address without both credentials, naming each missing one', () => {
    expect(
      instanceBody({ ...edit, base_url: 'https://new.example.test' }, 'edit', 'https://a.example.test'),
    ).toEqual({
      ok: false,
      problems: [
        { path: 'api_key', problem: 'new_url_credentials' },
        { path: 'api_secret', problem: 'new_url_credentials' },
      ],
    });
    const onlyKey = { ...edit, base_url: 'https://new.example.test', api_key: 'key-typed' };
    expect(instanceBody(onlyKey, 'edit', 'https://a.example.test')).toEqual({
      ok: false,
      problems: [{ path: 'api_secret', problem: 'new_url_credentials' }],
    });
  });
  it('takes the same address written differently as the same (intake normalizes both)', () => {
    for (const typed of [
      'https://a.example.test/',
      'https://A.Example.TEST',
      ' HTTPS://A.EXAMPLE.TEST:443/ ',
    ]) {
      const result = instanceBody({ ...edit, base_url: typed }, 'edit', 'https://a.example.test');
      expect(result.ok, typed).toBe(true);
    }
    // The stored one written with a trailing slash and a path, the typed one without.
    expect(
      instanceBody({ ...edit, base_url: 'https://a.example.test/erp' }, 'edit', 'https://A.example.test/erp/')
        .ok,
    ).toBe(true);
    // A different path or port is a new address.
    expect(
      instanceBody({ ...edit, base_url: 'https://a.example.test/other' }, 'edit', 'https://a.example.test')
        .ok,
    ).toBe(false);
    expect(
      instanceBody({ ...edit, base_url: 'https://a.example.test:8443' }, 'edit', 'https://a.example.test').ok,
    ).toBe(false);
  });
  it('sends a changed address with both credentials typed', () => {
    const both = {
      ...edit,
      base_url: 'https://new.example.test',
      api_key: 'key-typed',
      api_secret: 'secret-typed',
    };
    expect(instanceBody(both, 'edit', 'https://a.example.test')).toEqual({
      ok: true,
      body: {
        name: 'Site A',
        base_url: 'https://new.example.test',
        api_key: 'key-typed',
        api_secret: 'secret-typed',
      },
    });
  });
});

describe('normalizedBaseUrl: as intake stores an address', () => {
  it('lower-cases the host, drops a default port and trailing slashes', () => {
    expect(normalizedBaseUrl('https://ERP.Example.TEST/')).toBe('https://erp.example.test');
    expect(normalizedBaseUrl('http://erp.example.test:80/site//')).toBe('http://erp.example.test/site');
    expect(normalizedBaseUrl('https://erp.example.test:8443/')).toBe('https://erp.example.test:8443');
  });
  it('answers nothing for what intake refuses', () => {
    expect(normalizedBaseUrl('not a url')).toBeUndefined();
    expect(normalizedBaseUrl('ftp://erp.example.test')).toBeUndefined();
    expect(normalizedBaseUrl('https://user:pw@erp.example.test')).toBeUndefined();
    expect(normalizedBaseUrl('https://erp.example.test/?a=1')).toBeUndefined();
  });
});

describe('preflightBody', () => {
  it('puts the chosen instances into the request', () => {
    const result = preflightBody('site-a', 'site-b', SAMPLE_PREFLIGHT_REQUEST);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.body).toMatchObject({ company_a_instance_id: 'site-a', company_b_instance_id: 'site-b' });
    expect(result.body.items).toHaveLength(1);
  });

  it('refuses missing instances, bad JSON and non-objects', () => {
    expect(preflightBody('', 'b', '{}')).toEqual({ ok: false, problem: 'instances' });
    expect(preflightBody('a', 'b', '{').ok).toBe(false);
    expect(preflightBody('a', 'b', '[1]')).toEqual({ ok: false, problem: 'object' });
  });
});
