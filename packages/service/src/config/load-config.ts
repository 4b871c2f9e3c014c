import { registerFormats } from '@interco/contracts';
import { KindGuard, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { convert } from './convert.js';
import { expectation } from './describe.js';

registerFormats();

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE/i;
const MAX_SHOWN = 80;

/** Whether a variable's value must never be shown (in errors, logs, answers). */
export function isSecretVariable(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Reads the environment against a TypeBox object schema whose keys are variable names.
 *
 * - integers, numbers and booleans are converted from their text (`PORT=8080` -> 8080,
 *   `FLAG=yes` -> true); other values stay strings and are checked against their schema;
 * - a variable that is not set, or set to the empty string, takes its schema's `default`; without
 *   one it is left out when `Type.Optional`, and is a problem otherwise;
 * - variables the schema does not name are ignored;
 * - every problem is collected, then thrown at once as a ConfigError; a problem shows the value
 *   it did not accept, except for a variable whose name contains KEY, SECRET, TOKEN or PASSWORD
 *   (and credentials in a URL are masked).
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Static<T> {
  const config: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [variable, property] of Object.entries(schema.properties) as [string, TSchema][]) {
    const raw = env[variable];
    if (raw === undefined || raw === '') {
      if (property.default !== undefined) config[variable] = structuredClone(property.default);
      else if (!KindGuard.IsOptional(property)) {
        problems.push({ variable, message: `is not set: expected ${expectation(property)}` });
      }
      continue;
    }
    const converted = convert(property, raw);
    if (converted.ok && Value.Check(property, converted.value)) {
      config[variable] = converted.value;
    } else {
      problems.push({ variable, message: `must be ${expectation(property)}; ${shown(variable, raw)}` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  // Every property was converted and checked against its own schema above.
  return config as Static<T>;
}

function shown(variable: string, raw: string): string {
  if (isSecretVariable(variable)) return 'its value is not shown (secret)';
  const masked = raw.replace(/\/\/[^/@\s]*@/g, '//***@');
  const cut = masked.length > MAX_SHOWN ? `${masked.slice(0, MAX_SHOWN)}…` : masked;
  return `got ${JSON.stringify(cut)}`;
}
