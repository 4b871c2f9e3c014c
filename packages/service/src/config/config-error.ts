/** One thing wrong with the environment: which variable, and what is wrong with it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/**
 * The environment a service was started with cannot be used. `problems` lists every problem found
 * (not only the first); the messages never contain the value of a secret variable.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(
      `configuration is not valid: ${problems.map((problem) => `${problem.variable} ${problem.message}`).join('; ')}`,
    );
    this.problems = problems;
  }
}

/** True for a ConfigError, also one from another copy of this module. */
export function isConfigError(error: unknown): error is ConfigError {
  return (
    error instanceof ConfigError ||
    (error instanceof Error &&
      error.name === 'ConfigError' &&
      Array.isArray((error as { problems?: unknown }).problems))
  );
}
