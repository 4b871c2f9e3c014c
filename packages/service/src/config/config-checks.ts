import type { Static, TObject } from '@sinclair/typebox';
import { ConfigError, type ConfigProblem, isConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

/**
 * A service's environment checked in one pass: the TypeBox schema first (`loadConfig`), then the
 * checks only code can make (a key that must decode, a hash that must parse, two variables that
 * exclude each other), every problem collected so that one ConfigError lists them all. A check of
 * a variable the schema already refused is skipped (one problem per variable). Messages never
 * echo a value.
 *
 * ```ts
 * const checks = new ConfigChecks(MyConfigSchema, env);
 * const box = checks.check('INTERCO_SECRET_KEY', () => SecretBox.fromKeyText(env.INTERCO_SECRET_KEY ?? ''));
 * const hash = checks.optional('INTERCO_BOOTSTRAP_TOKEN_HASH', env, parseBootstrapHash);
 * const raw = checks.done(); // throws ConfigError listing every problem
 * ```
 */
export class ConfigChecks<Schema extends TObject> {
  readonly problems: ConfigProblem[] = [];
  /** The environment as the schema converted it; undefined when the schema refused it. */
  readonly raw: Static<Schema> | undefined;

  constructor(schema: Schema, env: Readonly<Record<string, string | undefined>>) {
    try {
      this.raw = loadConfig(schema, env);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      this.problems.push(...error.problems);
    }
  }

  /** Records a problem of `variable`. */
  problem(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }

  /**
   * Runs a check of `variable`: its value, or undefined with the thrown error's message as the
   * variable's problem. Skipped (undefined) when the variable already has a problem.
   */
  check<T>(variable: string, make: () => T): T | undefined {
    if (this.problems.some((problem) => problem.variable === variable)) return undefined;
    try {
      return make();
    } catch (error) {
      this.problem(variable, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /** An optional variable: undefined when unset or blank, else `parse(text)` as a check. */
  optional<T>(
    variable: string,
    env: Readonly<Record<string, string | undefined>>,
    parse: (text: string) => T,
  ): T | undefined {
    const text = env[variable];
    if (text === undefined || text.trim() === '') return undefined;
    return this.check(variable, () => parse(text));
  }

  /** The converted environment, or a ConfigError listing every problem. */
  done(): Static<Schema> {
    if (this.raw === undefined || this.problems.length > 0) throw new ConfigError(this.problems);
    return this.raw;
  }
}
