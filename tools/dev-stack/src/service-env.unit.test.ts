import { describe, expect, it } from 'vitest';
import { portPlan, SERVICE_NAMES } from './ports.js';
import { serviceCommand, serviceEnv } from './service-env.js';

const context = {
  natsUrl: 'nats://127.0.0.1:8090',
  mongoUrl: 'mongodb://127.0.0.1:8092/',
  secretKey: 'k'.repeat(44),
  tokenHash: 'a'.repeat(64),
  ports: portPlan().services,
  logLevel: 'info' as const,
};

describe('serviceEnv', () => {
  it('gives every service NATS, the secret key, its own port on 127.0.0.1 and the log level', () => {
    for (const [i, name] of SERVICE_NAMES.entries()) {
      expect(serviceEnv(name, context)).toMatchObject({
        NATS_URL: context.natsUrl,
        INTERCO_SECRET_KEY: context.secretKey,
        HOST: '127.0.0.1',
        PORT: String(8080 + i),
        LOG_LEVEL: 'info',
      });
    }
  });

  it('gives the bootstrap hash (never a token) to intake and the tracker, Mongo to the tracker only', () => {
    expect(serviceEnv('intake', context)).toMatchObject({
      INTERCO_BOOTSTRAP_TOKEN_HASH: context.tokenHash,
      INTERCO_STATUS_BASE_URL: 'http://127.0.0.1:8085',
    });
    expect(serviceEnv('intake', context)).not.toHaveProperty('MONGODB_URL');
    expect(serviceEnv('tracker', context)).toMatchObject({
      INTERCO_BOOTSTRAP_TOKEN_HASH: context.tokenHash,
      MONGODB_URL: context.mongoUrl,
    });
    for (const step of ['po-a', 'pr-a', 'dn-a', 'pr-b'] as const) {
      expect(Object.keys(serviceEnv(step, context)).sort()).toEqual(
        ['HOST', 'INTERCO_SECRET_KEY', 'LOG_LEVEL', 'NATS_URL', 'PORT'].sort(),
      );
    }
  });

  it('lets the console at the tracker call intake: intake allows the tracker’s origin, the tracker names intake', () => {
    expect(serviceEnv('intake', context).INTAKE_CORS_ORIGINS).toBe('http://127.0.0.1:8085');
    expect(serviceEnv('tracker', context).TRACKER_CONSOLE_INTAKE_URL).toBe('http://127.0.0.1:8080');
    const moved = { ...context, ports: portPlan(9000).services };
    expect(serviceEnv('intake', moved).INTAKE_CORS_ORIGINS).toBe('http://127.0.0.1:9005');
    expect(serviceEnv('tracker', moved).TRACKER_CONSOLE_INTAKE_URL).toBe('http://127.0.0.1:9000');
  });

  it('passes on PATH and the like from the caller, nothing that configures a service', () => {
    const env = serviceEnv('po-a', context, {
      PATH: '/bin',
      HOME: '/root',
      PORT: '1',
      NATS_URL: 'nats://elsewhere:4222',
      INTERCO_NAMESPACE: 'other',
      STEP_CONCURRENCY: '99',
    });
    expect(env).toMatchObject({ PATH: '/bin', HOME: '/root', PORT: '8081', NATS_URL: context.natsUrl });
    expect(env).not.toHaveProperty('INTERCO_NAMESPACE');
    expect(env).not.toHaveProperty('STEP_CONCURRENCY');
  });
});

describe('serviceCommand', () => {
  it('runs the built main of the service with this node', () => {
    expect(serviceCommand('pr-b')).toEqual({
      command: process.execPath,
      args: ['services/pr-b/dist/main.js'],
    });
  });
});
