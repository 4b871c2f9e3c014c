import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_REFERENCE_COMMAND,
  CONFIG_REFERENCE_PATH,
  configReference,
  referenceRows,
} from './config-reference.js';
import { variablesOf } from './schema-facts.js';
import { SERVICES } from './services.js';

describe('docs/configuration.md', () => {
  it('is what the configuration schemas say (else run the command in the message)', () => {
    let committed = '';
    try {
      committed = readFileSync(CONFIG_REFERENCE_PATH, 'utf8');
    } catch {
      // missing: the comparison below fails with the command to run
    }
    expect(
      committed,
      `docs/configuration.md is not what the schemas say: run \`${CONFIG_REFERENCE_COMMAND}\` and commit it`,
    ).toBe(configReference());
  });

  it('has a row for every variable of every service, with its accepted values and meaning', () => {
    const rows = referenceRows();
    for (const service of SERVICES) {
      for (const variable of variablesOf(service.schema)) {
        const row = rows.find((r) => r.variable === variable.name && r.services.includes(service.name));
        expect(row, `${service.name} ${variable.name}`).toBeDefined();
        expect(row?.facts.accepts).toBe(variable.accepts);
        expect(variable.description, `${service.name} ${variable.name} has no description`).toMatch(/\w/);
      }
    }
  });

  it('says required, default or unset the way the service reads the variable', () => {
    const text = configReference();
    expect(text).toMatch(/^\| `INTERCO_SECRET_KEY` +\| /m);
    const secretRows = referenceRows().filter((row) => row.variable === 'INTERCO_SECRET_KEY');
    expect(secretRows.every((row) => row.facts.required && row.facts.secret)).toBe(true);
    const ports = referenceRows().filter((row) => row.variable === 'PORT');
    expect(ports.map((row) => [row.services, row.facts.default])).toEqual(
      SERVICES.map((service) => [[service.name], service.port]),
    );
  });
});
