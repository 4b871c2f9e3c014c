import { describe, expect, it } from 'vitest';
import { healthcheckUrl } from './compose.js';
import {
  baseImage,
  deployedPackages,
  effective,
  loadDockerfile,
  parseDockerfile,
  stageChain,
} from './dockerfile.js';
import { readRepoFile } from './repo.js';
import { SERVICES } from './services.js';

const dockerfile = loadDockerfile();

describe('deploy/Dockerfile', () => {
  it('builds in its own stage with the setup CI runs, without the test servers, then prunes', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const build = dockerfile.stages.find((stage) => stage.name === 'build');
    const run = build?.instructions
      .filter((instruction) => instruction.keyword === 'RUN')
      .map((instruction) => instruction.args)
      .join(' ');
    expect(run).toContain('bash scripts/setup.sh');
    expect(run).toContain('pnpm build');
    expect(run).toMatch(/pnpm --filter \S+ --prod deploy/);
    const env = build?.instructions.find((instruction) => instruction.keyword === 'ENV')?.args ?? '';
    expect(env).toContain('INTERCO_SETUP_TEST_SERVERS=no');
    expect(readRepoFile('scripts/setup.sh')).toContain('INTERCO_SETUP_TEST_SERVERS:-yes');
  });

  describe.each(SERVICES.map((service) => [service.name, service] as const))('target %s', (name, service) => {
    it('runs a pinned Node 24 image, not the build stage', () => {
      const chain = stageChain(dockerfile, name).map((stage) => stage.name);
      expect(chain).not.toContain('build');
      expect(baseImage(dockerfile, name)).toMatch(
        /^node:24\.\d+\.\d+-[a-z]+-slim$|^gcr\.io\/distroless\/nodejs24/,
      );
    });

    it('copies only the pruned folder of its own package, which the build stage deploys', () => {
      expect(deployedPackages(dockerfile)).toContain(name);
      const copies = stageChain(dockerfile, name)
        .flatMap((stage) => stage.instructions)
        .filter((instruction) => instruction.keyword === 'COPY');
      expect(copies.map((copy) => copy.args)).toEqual([`--from=build /out/${name} /app`]);
    });

    it('runs as a non-root user, stops on SIGTERM and starts dist/main.js', () => {
      const user = effective(dockerfile, name, 'USER');
      expect(user).toBeDefined();
      expect(user).not.toMatch(/^(root|0)(:|$)/);
      expect(effective(dockerfile, name, 'STOPSIGNAL')).toBe('SIGTERM');
      expect(effective(dockerfile, name, 'ENTRYPOINT')).toBe('["node"]');
      expect(effective(dockerfile, name, 'CMD')).toBe('["dist/main.js"]');
    });

    it('sets PORT to the port its schema defaults to, exposes it and checks /healthz on it', () => {
      const ports = stageChain(dockerfile, name)
        .flatMap((stage) => stage.instructions)
        .filter((instruction) => instruction.keyword === 'ENV')
        .flatMap((instruction) => [...instruction.args.matchAll(/(?:^|\s)PORT=(\d+)/g)].map((m) => m[1]));
      expect(ports.at(-1)).toBe(String(service.port));
      expect(effective(dockerfile, name, 'EXPOSE')).toBe(String(service.port));
      const healthcheck = effective(dockerfile, name, 'HEALTHCHECK') ?? '';
      expect(healthcheck).toMatch(/^--interval=\S+ .*CMD \[/);
      expect(healthcheck).toContain("'+process.env.PORT+'");
      const url = healthcheckUrl(healthcheck.replace("'+process.env.PORT+'", String(service.port)));
      expect(url?.pathname).toBe('/healthz');
      expect(Number(url?.port)).toBe(service.port);
    });
  });

  it.each(['erpnext-sim', 'cli'])(
    'target %s: its own pruned package, non-root, its entry point a bin of it',
    (name) => {
      expect(deployedPackages(dockerfile)).toContain(name);
      const copies = stageChain(dockerfile, name)
        .flatMap((stage) => stage.instructions)
        .filter((instruction) => instruction.keyword === 'COPY');
      expect(copies.map((copy) => copy.args)).toEqual([`--from=build /out/${name} /app`]);
      expect(effective(dockerfile, name, 'USER')).not.toMatch(/^(root|0)(:|$)/);
      const entry = JSON.parse(effective(dockerfile, name, 'ENTRYPOINT') ?? '[]') as string[];
      const cmd = JSON.parse(effective(dockerfile, name, 'CMD') ?? '[]') as string[];
      const script = entry[1] ?? cmd[0] ?? '';
      const manifest = JSON.parse(readRepoFile(`packages/${name}/package.json`)) as {
        bin: Record<string, string>;
      };
      expect(Object.values(manifest.bin).map((bin) => bin.replace(/^\.\//, ''))).toContain(script);
    },
  );

  it('keeps build output, local state and secrets out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.interco', '.env']) {
      expect(ignored).toContain(entry);
    }
  });

  it('reads the packages the build stage deploys to /out from its loop only', () => {
    const build = (loop: string) => parseDockerfile(`FROM node AS build\nRUN pnpm build && ${loop}\n`);
    const p = `\${p}`;
    const deploy = `do pnpm --filter "@interco/${p}" --prod deploy --legacy "/out/${p}" || exit 1; done`;
    expect(deployedPackages(build(`for p in intake cli; ${deploy}`))).toEqual(['intake', 'cli']);
    expect(deployedPackages(build(`for p in intake cli; do echo "/out/${p}"; done`))).toEqual([]);
    expect(deployedPackages(build(`for q in intake; ${deploy}`))).toEqual([]);
    expect(deployedPackages(loadDockerfile()).length).toBeGreaterThanOrEqual(SERVICES.length);
  });

  it('parses continuation lines, comments and stage bases', () => {
    const parsed = parseDockerfile(
      'ARG IMG=node:24.1.0-bookworm-slim\n# c\nFROM $IMG AS base\nUSER node\nFROM base AS app\nRUN a \\\n  && b\n',
    );
    expect(parsed.stages.map((stage) => stage.name)).toEqual(['base', 'app']);
    expect(parsed.stages[1]?.instructions).toEqual([{ keyword: 'RUN', args: 'a && b' }]);
    expect(effective(parsed, 'app', 'USER')).toBe('node');
    expect(baseImage(parsed, 'app')).toBe('node:24.1.0-bookworm-slim');
  });
});
