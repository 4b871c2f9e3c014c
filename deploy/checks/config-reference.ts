/**
 * docs/configuration.md, generated from the services' configuration schemas: every variable of
 * every service, the services that read it, whether it is required or its default, what values it
 * accepts and what it is for. `pnpm config-reference` writes the file; config-reference.unit.test.ts
 * fails when the committed file differs from what the schemas say.
 */
import { fileURLToPath } from 'node:url';
import { type VariableFacts, variablesOf } from './schema-facts.js';
import { SERVICES, type ServiceSpec } from './services.js';

export const CONFIG_REFERENCE_PATH = fileURLToPath(new URL('../../docs/configuration.md', import.meta.url));
export const CONFIG_REFERENCE_COMMAND = 'pnpm config-reference';

/** One row of the reference: a variable as one or more services read it (same facts). */
export interface ReferenceRow {
  readonly variable: string;
  readonly services: readonly string[];
  readonly facts: VariableFacts;
}

/** The rows: one per variable, or one per group of services when their schemas differ. */
export function referenceRows(services: readonly ServiceSpec[] = SERVICES): ReferenceRow[] {
  const rows: { variable: string; services: string[]; facts: VariableFacts; key: string }[] = [];
  for (const service of services) {
    for (const facts of variablesOf(service.schema)) {
      const key = JSON.stringify([
        facts.name,
        facts.required,
        facts.default,
        facts.accepts,
        facts.description,
      ]);
      const row = rows.find((candidate) => candidate.key === key);
      if (row === undefined) rows.push({ variable: facts.name, services: [service.name], facts, key });
      else row.services.push(service.name);
    }
  }
  // Rows of one variable stay together, in the order the variables first appear.
  const order = [...new Set(rows.map((row) => row.variable))];
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => order.indexOf(a.row.variable) - order.indexOf(b.row.variable) || a.index - b.index)
    .map(({ row }) => ({ variable: row.variable, services: row.services, facts: row.facts }));
}

/** The whole of docs/configuration.md. */
export function configReference(services: readonly ServiceSpec[] = SERVICES): string {
  const names = services.map((service) => service.name);
  const lines = [
    '# Configuration reference',
    '',
    `<!-- Generated from the services' configuration schemas by \`${CONFIG_REFERENCE_COMMAND}\`` +
      ' (deploy/checks/config-reference.ts): do not edit by hand. -->',
    '',
    `Every service (${names.map((name) => `\`${name}\``).join(', ')}) is configured by environment`,
    'variables only. Each checks its whole environment when it starts and, if anything is wrong, exits',
    'with one log line listing every problem (a secret’s value is never shown). A variable set to the',
    'empty string counts as not set. Variables a service does not read are ignored by it.',
    '',
    'Where they are set: `.env` and `docker-compose.yml` for compose; the ConfigMaps and the Secret',
    'of `deploy/k8s` for Kubernetes (see deploy/README.md); the shell for `node services/<s>/dist/main.js`.',
    '',
    ...table(
      ['variable', 'services', 'required / default', 'accepted values', 'meaning'],
      referenceRows(services).map((row) => [
        `\`${row.variable}\``,
        servicesCell(row.services, names),
        requirementCell(row.facts),
        acceptsCell(row.facts.accepts),
        meaningCell(row.facts),
      ]),
    ),
    '',
    '**required**: the service does not start without it. _unset_: optional, with no default; the',
    'meaning says what happens when it is not set. **secret**: never logged nor echoed in errors; keep',
    'it in a Secret (Kubernetes) or in `.env` (compose), never in a committed file.',
    '',
  ];
  return lines.join('\n');
}

function servicesCell(services: readonly string[], all: readonly string[]): string {
  if (services.length === all.length) return 'all';
  return services.join(', ');
}

function requirementCell(facts: VariableFacts): string {
  if (facts.required) return '**required**';
  if (facts.default === undefined) return '_unset_';
  return `default \`${cell(String(facts.default))}\``;
}

/** The accepted values, a pattern in code style (`[^\s]` is not a footnote). */
function acceptsCell(accepts: string): string {
  return cell(accepts.replace(/matching (\S+)$/, (_, pattern: string) => `matching \`${pattern}\``));
}

function meaningCell(facts: VariableFacts): string {
  const meaning = cell(facts.description ?? '');
  return facts.secret ? `${meaning} (**secret**)` : meaning;
}

/** A Markdown table with its columns padded to their widths (as the formatter writes them). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

/** Text safe in a Markdown table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
