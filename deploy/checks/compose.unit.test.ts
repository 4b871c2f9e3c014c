import { isSecretVariable } from '@interco/service';
import { describe, expect, it } from 'vitest';
import {
  type ComposeService,
  commandArgs,
  composeEnvironment,
  containerPorts,
  dependsOnCondition,
  durationSeconds,
  healthcheckCommand,
  healthcheckUrl,
  isLoopback,
  loadCompose,
  publishedPorts,
} from './compose.js';
import { loadDockerfile } from './dockerfile.js';
import { effectivePort, envProblems } from './environment.js';
import { readRepoFile } from './repo.js';
import { requiredVariables } from './schema-facts.js';
import { SERVICES } from './services.js';

const compose = loadCompose();
const INFRA = ['nats', 'mongo'];

describe('docker-compose.yml: the services of the code', () => {
  it('has every service of the code', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(SERVICES.map((s) => s.name)));
  });

  describe.each(SERVICES.map((service) => [service.name, service] as const))('%s', (name, service) => {
    const entry = compose.services[name] ?? {};
    const env = composeEnvironment(entry);

    it('is built from deploy/Dockerfile, its own target', () => {
      expect(entry.build).toEqual({ context: '.', dockerfile: 'deploy/Dockerfile', target: name });
      expect(loadDockerfile().stages.map((stage) => stage.name)).toContain(name);
    });

    it('sets only variables of its configuration schema, every required one, with values it accepts', () => {
      expect(envProblems(service.schema, env)).toEqual([]);
    });

    it('takes its secrets from the environment, refusing to start without the required ones', () => {
      const required = requiredVariables(service.schema);
      for (const [variable, value] of env) {
        if (!isSecretVariable(variable)) continue;
        expect(value.kind, `${variable} must not be written in the file`).toBe('external');
        if (value.kind !== 'external') continue;
        expect(value.fallback ?? '', `${variable}: no default value in the file`).toBe('');
        if (required.includes(variable)) {
          expect(value.mandatory, `${variable}: \${${value.from}:?message}`).toBe(true);
        }
      }
      for (const variable of ['INTERCO_SECRET_KEY', 'INTERCO_BOOTSTRAP_TOKEN_HASH']) {
        const value = env.get(variable);
        if (value !== undefined) expect(value).toMatchObject({ kind: 'external', mandatory: true });
      }
    });

    it('reaches NATS (and MongoDB when it uses it) by their compose names', () => {
      expect(env.get('NATS_URL')).toEqual({ kind: 'literal', value: 'nats://nats:4222' });
      if (service.usesMongo) {
        const url = env.get('MONGODB_URL');
        expect(url?.kind).toBe('literal');
        const replSet = commandArgs(compose.services.mongo ?? {});
        const name = replSet[replSet.indexOf('--replSet') + 1];
        expect(url?.kind === 'literal' && new URL(url.value).searchParams.get('replicaSet')).toBe(name);
        expect(url?.kind === 'literal' && new URL(url.value).host).toBe('mongo:27017');
      }
    });

    it('is healthy when /readyz answers on its port, and publishes only that port', () => {
      const port = effectivePort(service.schema, env);
      expect(port).toBe(service.port);
      const url = healthcheckUrl(healthcheckCommand(entry));
      expect(url?.pathname).toBe('/readyz');
      expect(Number(url?.port)).toBe(port);
      for (const published of containerPorts(entry)) expect(published).toBe(port);
    });

    it('starts once NATS is healthy (and MongoDB for the tracker), and restarts', () => {
      expect(dependsOnCondition(entry, 'nats')).toBe('service_healthy');
      if (service.usesMongo) expect(dependsOnCondition(entry, 'mongo')).toBe('service_healthy');
      expect(entry.restart).toMatch(/^(always|unless-stopped|on-failure)/);
    });

    it('gets SIGTERM from an init process, and the time to drain before SIGKILL', () => {
      expect(entry.init).toBe(true);
      // Compose's default is 10 s; a service may drain for up to 30 s (onShutdown).
      expect(durationSeconds(entry.stop_grace_period)).toBeGreaterThan(30);
      expect(entry.profiles ?? []).toEqual([]);
    });
  });

  it('reads compose durations', () => {
    expect(durationSeconds('45s')).toBe(45);
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('45')).toBeNaN();
  });

  it('publishes the two APIs on the loopback interface: intake on 8080, the tracker on 8085', () => {
    expect(compose.services.intake?.ports).toContain('127.0.0.1:8080:8080');
    expect(compose.services.tracker?.ports).toContain('127.0.0.1:8085:8085');
  });

  // NATS and MongoDB have no authentication here, the simulator's keys are in its logs, and the
  // APIs speak plain HTTP with bearer tokens: none is published beyond this machine
  // (deploy/README.md, "Ports"). Other machines reach the APIs through a TLS proxy.
  it.each(Object.keys(compose.services))('publishes %s on the loopback interface only', (name) => {
    for (const port of publishedPorts(compose.services[name] ?? {})) {
      expect(isLoopback(port.hostIp), `${name}: ${port.target} on ${port.hostIp ?? 'every interface'}`).toBe(
        true,
      );
    }
  });

  it('publishes NATS and MongoDB, if at all, on the loopback interface', () => {
    for (const name of INFRA) {
      for (const port of publishedPorts(compose.services[name] ?? {})) expect(port.hostIp).toBe('127.0.0.1');
    }
  });

  it('reads the host address of the port syntaxes of compose', () => {
    const ports = (...list: NonNullable<ComposeService['ports']>) => publishedPorts({ ports: list });
    expect(ports('4222:4222', 4222, '4222', '8222/tcp')).toEqual([
      { hostIp: undefined, target: 4222 },
      { hostIp: undefined, target: 4222 },
      { hostIp: undefined, target: 4222 },
      { hostIp: undefined, target: 8222 },
    ]);
    expect(ports('127.0.0.1:4222:4222', '0.0.0.0:27017:27017', '[::1]:80:8080', '127.0.0.1::9000')).toEqual([
      { hostIp: '127.0.0.1', target: 4222 },
      { hostIp: '0.0.0.0', target: 27017 },
      { hostIp: '[::1]', target: 8080 },
      { hostIp: '127.0.0.1', target: 9000 },
    ]);
    expect(ports({ target: 27017, published: 27017 }, { target: 1, host_ip: '127.0.0.1' })).toEqual([
      { hostIp: undefined, target: 27017 },
      { hostIp: '127.0.0.1', target: 1 },
    ]);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);
    expect(isLoopback('127.0.0.1')).toBe(true);
  });
});

describe('docker-compose.yml: infrastructure and demo', () => {
  it('runs MongoDB as a one-node replica set that the health check initiates', () => {
    const mongo = compose.services.mongo ?? {};
    const args = commandArgs(mongo);
    expect(args).toContain('--replSet');
    const name = args[args.indexOf('--replSet') + 1];
    const check = healthcheckCommand(mongo);
    expect(check).toContain('rs.initiate(');
    expect(check).toContain(`_id: '${name}'`);
    expect(check).toContain("host: 'mongo:27017'");
    expect(check).toContain('isWritablePrimary');
    expect(mongo.volumes?.some((volume) => volume.endsWith(':/data/db'))).toBe(true);
  });

  it('runs NATS with JetStream on file storage in a volume', () => {
    const nats = compose.services.nats ?? {};
    const conf = readRepoFile('deploy/nats/nats.conf');
    const storeDir = /store_dir:\s*(\S+)/.exec(conf)?.[1] ?? '';
    expect(conf).toMatch(/jetstream\s*\{/);
    const dataVolume = nats.volumes?.find((volume) => !volume.startsWith('./'));
    expect(dataVolume).toBeDefined();
    expect(storeDir.startsWith(`${dataVolume?.split(':')[1]}/`)).toBe(true);
    expect(healthcheckCommand(nats)).toContain('js-enabled-only=true');
  });

  it('runs the ERPNext simulator only under the demo profile, with a state file in a volume', () => {
    const extra = Object.keys(compose.services).filter(
      (name) => !INFRA.includes(name) && !SERVICES.some((service) => service.name === name),
    );
    expect(extra).toContain('erpnext-sim');
    for (const name of extra) expect(compose.services[name]?.profiles, name).toEqual(['demo']);
    const sim = compose.services['erpnext-sim'] ?? {};
    expect(sim.build?.target).toBe('erpnext-sim');
    const simStage = loadDockerfile().stages.find((stage) => stage.name === 'erpnext-sim');
    const cmd = simStage?.instructions.find((instruction) => instruction.keyword === 'CMD')?.args ?? '';
    expect(cmd).toContain('"--sites", "demo"');
    expect(cmd).toContain('"--state-file", "/data/');
    expect(sim.volumes?.some((volume) => volume.endsWith(':/data'))).toBe(true);
  });

  it('has an .env.example naming every secret compose asks for, with no value', () => {
    const example = readRepoFile('.env.example');
    const asked = new Set<string>();
    for (const service of Object.values(compose.services)) {
      for (const [, value] of composeEnvironment(service)) {
        if (value.kind === 'external' && value.mandatory) asked.add(value.from);
      }
    }
    expect(asked.size).toBeGreaterThan(0);
    for (const variable of asked) expect(example).toMatch(new RegExp(`^${variable}=$`, 'm'));
    expect(readRepoFile('.gitignore')).toMatch(/^\.env$/m);
  });
});
