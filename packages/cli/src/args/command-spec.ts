/** How a command is described: what help prints and what the parser accepts. */

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (the values in order). */
  readonly multiple?: boolean;
  readonly short?: string;
  /** The value's placeholder in usage lines, e.g. `K` for `--idempotency-key K`. */
  readonly value?: string;
  readonly description: string;
  /** Shown in the usage line (else only under Flags). */
  readonly inUsage?: boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

export interface CommandSpec {
  /** e.g. `['transfer', 'submit']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** More about what it does (a few lines). */
  readonly description?: string;
  readonly args: readonly ArgSpec[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** A note for the usage line, e.g. `(--api-secret-stdin | --api-secret-file F)`. */
  readonly usageNote?: string;
  readonly examples: readonly string[];
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: { type: 'boolean', description: "print the API's JSON instead of text" },
  config: {
    type: 'string',
    value: 'FILE',
    description: 'the config file (else INTERCO_CONFIG, else ~/.config/interco/config.json)',
  },
  profile: {
    type: 'string',
    value: 'NAME',
    description: "the config file's profile (else its default_profile)",
  },
  'intake-url': {
    type: 'string',
    value: 'URL',
    description: 'intake (else INTERCO_INTAKE_URL, the profile, http://127.0.0.1:8080)',
  },
  'tracker-url': {
    type: 'string',
    value: 'URL',
    description: 'the tracker (else INTERCO_TRACKER_URL, the profile, http://127.0.0.1:8085)',
  },
  'token-file': {
    type: 'string',
    value: 'FILE',
    description: 'a file holding the API token (else INTERCO_TOKEN, INTERCO_TOKEN_FILE, the profile)',
  },
  help: { type: 'boolean', short: 'h', description: 'this help' },
};
