import { describe, expect, it } from 'vitest';
import { displayPath } from './layout.js';
import { plannedPorts, portPlan } from './ports.js';

describe('portPlan', () => {
  it('puts the services on 8080..8085 and the sites on 8100, 8101 by default (docs/running.md)', () => {
    const plan = portPlan();
    expect(plan.services).toEqual({
      intake: 8080,
      'po-a': 8081,
      'pr-a': 8082,
      'dn-a': 8083,
      'pr-b': 8084,
      tracker: 8085,
    });
    expect(plan.simBase).toBe(8100);
    expect([plan.nats, plan.natsMonitor, plan.mongo]).toEqual([8090, 8091, 8092]);
  });

  it('moves everything with the base, and refuses bases that do not fit', () => {
    const plan = portPlan(20000);
    expect(plan.services.tracker).toBe(20005);
    expect(plan.simBase).toBe(20020);
    expect(() => portPlan(1000)).toThrow(RangeError);
    expect(() => portPlan(65_530)).toThrow(/1024 to 65514/);
  });
});

describe('plannedPorts', () => {
  it('lists every port with its owner, without NATS or Mongo when they are external', () => {
    const all = plannedPorts(portPlan(), { nats: false, mongo: false });
    expect(all).toHaveLength(11);
    expect(new Set(all.map((p) => p.port)).size).toBe(11);
    expect(all).toContainEqual({ port: 8090, owner: 'nats-server' });
    const external = plannedPorts(portPlan(), { nats: true, mongo: true });
    expect(external.map((p) => p.port)).toEqual([8080, 8081, 8082, 8083, 8084, 8085, 8100, 8101]);
  });
});

describe('displayPath', () => {
  it('is relative below the current directory, absolute elsewhere', () => {
    expect(displayPath('/repo/.interco', '/repo')).toBe('.interco');
    expect(displayPath('/repo', '/repo')).toBe('.');
    expect(displayPath('/tmp/x', '/repo')).toBe('/tmp/x');
  });
});
