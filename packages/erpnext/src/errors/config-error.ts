/**
 * ErpnextConfigError: an instance's configuration that cannot be used (a malformed base_url,
 * credentials Frappe would not accept). Thrown when a client is constructed, never during a
 * call. Its message names the instance and the problem, never the secret.
 */
export class ErpnextConfigError extends Error {
  override readonly name = 'ErpnextConfigError';
  readonly instanceId: string;
  /** Each problem: the config path and what is wrong with it. */
  readonly problems: ReadonlyArray<{ path: string; message: string }>;

  constructor(instanceId: string, problems: ReadonlyArray<{ path: string; message: string }>) {
    super(
      `instance ${JSON.stringify(instanceId)}: invalid configuration: ${problems
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}`,
    );
    this.instanceId = instanceId;
    this.problems = problems;
  }
}
