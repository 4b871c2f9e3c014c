import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { registerInspectionRoutes } from '../http/inspection-routes.js';
import { buildSiteApp } from '../http/site-app.js';
import { demoSites } from '../sites/demo-sites.js';
import { Site } from '../sites/site.js';
import type { SiteConfig } from '../sites/sites-file.schema.js';
import { readStateFile, type SiteState, StateFileWriter } from '../sites/state-file.js';

export interface StartSimulatorOptions {
  /** The sites to serve: setups (each with an optional port), or `'demo'` for the two demo sites. */
  sites: readonly SiteConfig[] | 'demo';
  /** Site i listens on portBase + i unless its setup gives a port. 0 or absent: a free port each. */
  portBase?: number;
  /** The address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Serve the /__sim/ inspection API on every site. Default false. */
  inspection?: boolean;
  /**
   * Keep every site's database (and, for the demo sites, their API users) in this file: loaded at
   * start when it exists, written after changes (debounced) and on close.
   */
  stateFile?: string;
  /** Debounce of state-file writes, in ms. Default 200. */
  stateWriteDelayMs?: number;
  /** Where to report what happens (one line per call). Default: nowhere. */
  log?: (line: string) => void;
}

/** A site being served. */
export interface RunningSite {
  name: string;
  /** e.g. `http://127.0.0.1:8100` */
  url: string;
  /** The first API user's credentials: `Authorization: token <apiKey>:<apiSecret>`. */
  apiKey: string;
  apiSecret: string;
  site: Site;
}

export interface Simulator {
  sites: RunningSite[];
  /** Stops the servers and writes the state file a last time. Safe to call twice. */
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';

/** A site's setup that cannot be loaded (a record ERPNext's rules refuse, a missing link...). */
export class SiteSetupError extends Error {
  override name = 'SiteSetupError';
}

/**
 * Starts one Site and one HTTP server per site, each on its own port, and resolves once all of
 * them are listening. With a state file, the sites start from the state it kept.
 */
export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const host = options.host ?? DEFAULT_HOST;
  const portBase = options.portBase ?? 0;
  checkPort(portBase, 'portBase');
  const log = options.log ?? (() => {});
  const stored = options.stateFile === undefined ? undefined : readStateFile(options.stateFile);
  const configs = siteConfigs(options.sites, stored);

  const sites = configs.map((config) => {
    let site: Site;
    try {
      site = new Site(config);
    } catch (error) {
      throw new SiteSetupError(errorText(error));
    }
    const state = stored?.get(config.name);
    if (state !== undefined) site.restore(state.database);
    return site;
  });
  if (options.stateFile !== undefined) {
    log(
      stored === undefined
        ? `state file ${options.stateFile}: new`
        : `state file ${options.stateFile}: loaded`,
    );
  }

  const apps: FastifyInstance[] = [];
  const running: RunningSite[] = [];
  try {
    for (const [i, config] of configs.entries()) {
      const site = sites[i];
      if (site === undefined) continue;
      const app = buildSiteApp(site, options.inspection ? { extraRoutes: registerInspectionRoutes } : {});
      apps.push(app);
      const port = config.port ?? (portBase === 0 ? 0 : portBase + i);
      try {
        await app.listen({ host, port });
      } catch (error) {
        throw new Error(`site ${site.name}: cannot listen on ${host}:${port} (${errorText(error)})`);
      }
      const url = `http://${urlHost(host)}:${(app.server.address() as AddressInfo).port}`;
      const [user] = site.users;
      running.push({
        name: site.name,
        url,
        apiKey: user?.apiKey ?? '',
        apiSecret: user?.apiSecret ?? '',
        site,
      });
      log(
        `site ${site.name}: listening on ${url}${options.inspection ? ' (inspection API at /__sim/)' : ''}`,
      );
    }
  } catch (error) {
    await Promise.allSettled(apps.map((app) => app.close()));
    throw error;
  }

  let writer: StateFileWriter | undefined;
  if (options.stateFile !== undefined) {
    writer = new StateFileWriter(options.stateFile, sites, {
      ...(options.stateWriteDelayMs === undefined ? {} : { debounceMs: options.stateWriteDelayMs }),
      onError: (error) => log(`state file ${options.stateFile}: cannot write (${errorText(error)})`),
    });
    // At once: the credentials of new demo sites must survive even an abrupt end.
    await writer.flush();
  }

  let closing: Promise<void> | undefined;
  return {
    sites: running,
    close() {
      closing ??= (async () => {
        await Promise.allSettled(apps.map((app) => app.close()));
        await writer?.close();
        log('stopped');
      })();
      return closing;
    },
  };
}

/**
 * The setups to start: the demo sites (keeping the API users a state file has for them, so a
 * restarted demo keeps its credentials), or the given ones (whose users are configuration).
 */
function siteConfigs(
  sites: StartSimulatorOptions['sites'],
  stored: Map<string, SiteState> | undefined,
): SiteConfig[] {
  const configs: SiteConfig[] =
    sites === 'demo'
      ? demoSites().map((setup) => {
          const users = stored?.get(setup.name)?.users;
          return users !== undefined && users.length > 0 ? { ...setup, users } : setup;
        })
      : sites.map((config) => ({ ...config }));
  if (configs.length === 0) throw new SiteSetupError('no sites to serve');
  const names = new Set<string>();
  for (const config of configs) {
    if (names.has(config.name.toLowerCase())) throw new SiteSetupError(`two sites are named ${config.name}`);
    names.add(config.name.toLowerCase());
    if (config.users.length === 0)
      throw new SiteSetupError(`site ${config.name}: needs at least one API user`);
    if (config.port !== undefined) checkPort(config.port, `site ${config.name}: port`);
  }
  return configs;
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${what} must be a whole number from 0 to 65535`);
}

/** The host as a URL has it: wildcard addresses become loopback, IPv6 literals get brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
