import { type Static, Type } from '@sinclair/typebox';

const Url = Type.String({ minLength: 1, description: 'http:// or https:// base URL' });

export const Profile = Type.Object(
  {
    intake_url: Type.Optional(Url),
    tracker_url: Type.Optional(Url),
    token_file: Type.Optional(
      Type.String({ minLength: 1, description: 'a file holding the token; relative to the config file' }),
    ),
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof Profile>;

/** The CLI's configuration file (`--config`, `INTERCO_CONFIG`, `~/.config/interco/config.json`). */
export const ConfigFile = Type.Object(
  {
    default_profile: Type.Optional(Type.String({ minLength: 1 })),
    profiles: Type.Record(Type.String(), Profile),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFile>;
