import { describe, expect, it } from 'vitest';
import { readRepoFile } from './repo.js';
import { SERVICES } from './services.js';

/** docs/running.md's table "Ports and endpoints": service -> port. */
function documentedPorts(): Map<string, number> {
  const text = readRepoFile('docs/running.md');
  const section = text.slice(text.indexOf('## Ports and endpoints'));
  const ports = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*([a-z][a-z-]*)\s*\|\s*(\d+)\s*\|/gm)) {
    ports.set(match[1] ?? '', Number(match[2]));
  }
  return ports;
}

describe('the services deploy/ deploys', () => {
  it('are the services of docs/running.md, each on the port its schema defaults to', () => {
    const documented = documentedPorts();
    expect(SERVICES.map((service) => [service.name, service.port])).toEqual([...documented.entries()]);
  });

  it('have distinct ports and names that are valid DNS labels (compose and Kubernetes names)', () => {
    expect(new Set(SERVICES.map((service) => service.port)).size).toBe(SERVICES.length);
    for (const service of SERVICES) expect(service.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  });
});
