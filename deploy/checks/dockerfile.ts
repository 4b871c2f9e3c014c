/**
 * deploy/Dockerfile as the checks read it: its stages (FROM ... AS name) and each stage's
 * instructions, continuation lines joined and comments dropped.
 */
import { readRepoFile } from './repo.js';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string | undefined;
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARG defaults before the first FROM. */
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: readonly Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.trimEnd().endsWith('\\')) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  const globalArgs = new Map<string, string>();
  const stages: { name: string | undefined; from: string; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/s.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' ? name : undefined, from, instructions: [] });
    } else if (stages.length === 0) {
      if (upper === 'ARG') {
        const [name = '', value = ''] = args.split('=');
        globalArgs.set(name.trim(), value.trim());
      }
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: args.replace(/\s+/g, ' ') });
    }
  }
  return { globalArgs, stages };
}

export function loadDockerfile(path = 'deploy/Dockerfile'): Dockerfile {
  return parseDockerfile(readRepoFile(path));
}

/** A stage and the stages it is built on, the stage itself first. */
export function stageChain(dockerfile: Dockerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  let stage = dockerfile.stages.find((s) => s.name === name);
  while (stage !== undefined && !chain.includes(stage)) {
    chain.push(stage);
    const base = stage.from;
    stage = dockerfile.stages.find((s) => s.name === base);
  }
  return chain;
}

/** The last value of an instruction in effect for a stage (its own first, then its bases'). */
export function effective(dockerfile: Dockerfile, name: string, keyword: string): string | undefined {
  for (const stage of stageChain(dockerfile, name)) {
    const found = stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
    if (found !== undefined) return found.args;
  }
  return undefined;
}

/** The image a stage chain starts from, with `${ARG}` replaced by the global ARG defaults. */
export function baseImage(dockerfile: Dockerfile, name: string): string {
  const from = stageChain(dockerfile, name).at(-1)?.from ?? '';
  return from.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => dockerfile.globalArgs.get(arg) ?? `\${${arg}}`);
}

/**
 * The packages the build stage puts under /out/<name> with `pnpm deploy`: the words of its
 * `for package in ...; do` loop, when the loop's body deploys `@interco/${package}` to
 * `/out/${package}` (empty when there is no such loop).
 */
export function deployedPackages(dockerfile: Dockerfile, stage = 'build'): string[] {
  const runs = (dockerfile.stages.find((candidate) => candidate.name === stage)?.instructions ?? [])
    .filter((instruction) => instruction.keyword === 'RUN')
    .map((instruction) => instruction.args);
  return runs.flatMap((run) =>
    [...run.matchAll(/for (\w+) in ([^;]*); do (.*?)(?:; )?done/g)].flatMap((loop) => {
      const [, variable = '', words = '', body = ''] = loop;
      const deploys =
        body.includes(`--filter "@interco/\${${variable}}"`) &&
        /--prod deploy\b/.test(body) &&
        body.includes(`"/out/\${${variable}}"`);
      return deploys ? words.trim().split(/\s+/) : [];
    }),
  );
}
