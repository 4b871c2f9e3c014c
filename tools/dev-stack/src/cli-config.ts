import { writeFile } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import type { ConfigFile } from '@interco/cli';

/**
 * The CLI's config file (docs/running.md) with the one profile `dev`, for the stack's URLs; the
 * token file is named relative to the config file's folder (as the CLI reads it), so the data
 * folder can move.
 */
export function cliConfig(
  configPath: string,
  urls: { intake: string; tracker: string },
  tokenPath: string,
): ConfigFile {
  const tokenFile =
    dirname(tokenPath) === dirname(configPath)
      ? basename(tokenPath)
      : relative(dirname(configPath), tokenPath);
  return {
    default_profile: 'dev',
    profiles: { dev: { intake_url: urls.intake, tracker_url: urls.tracker, token_file: tokenFile } },
  };
}

export async function writeCliConfig(path: string, config: ConfigFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
}
