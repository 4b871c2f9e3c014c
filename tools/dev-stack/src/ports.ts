/**
 * The local stack's ports, all from one base so a second stack (a test's) can run beside the
 * first: the six services on base..base+5 (8080..8085 by default, as in docs/running.md), NATS on
 * base+10 (monitoring base+11), the MongoDB-wire server on base+12, the simulator's sites on
 * base+20 and base+21 (8100, 8101).
 */
export const DEFAULT_PORT_BASE = 8080;

export const SERVICE_NAMES = ['intake', 'po-a', 'pr-a', 'dn-a', 'pr-b', 'tracker'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface PortPlan {
  readonly services: Readonly<Record<ServiceName, number>>;
  readonly nats: number;
  readonly natsMonitor: number;
  readonly mongo: number;
  /** The first simulator site's port; the second is the next one. */
  readonly simBase: number;
}

/** The highest base that leaves room for every port of the plan. */
export const MAX_PORT_BASE = 65_535 - 21;

export function portPlan(base: number = DEFAULT_PORT_BASE): PortPlan {
  if (!Number.isInteger(base) || base < 1024 || base > MAX_PORT_BASE) {
    throw new RangeError(`the port base must be an integer from 1024 to ${MAX_PORT_BASE}, not ${base}`);
  }
  const services = Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, base + i])) as Record<
    ServiceName,
    number
  >;
  return { services, nats: base + 10, natsMonitor: base + 11, mongo: base + 12, simBase: base + 20 };
}

/** Every port the plan listens on, with what listens there; NATS and Mongo left out when external. */
export function plannedPorts(
  plan: PortPlan,
  external: { nats: boolean; mongo: boolean },
): Array<{ port: number; owner: string }> {
  const ports: Array<{ port: number; owner: string }> = SERVICE_NAMES.map((name) => ({
    port: plan.services[name],
    owner: name,
  }));
  if (!external.nats) {
    ports.push(
      { port: plan.nats, owner: 'nats-server' },
      { port: plan.natsMonitor, owner: 'nats-server monitoring' },
    );
  }
  if (!external.mongo) ports.push({ port: plan.mongo, owner: 'the MongoDB-wire server' });
  ports.push(
    { port: plan.simBase, owner: 'simulator site company-a' },
    { port: plan.simBase + 1, owner: 'simulator site company-b' },
  );
  return ports;
}
