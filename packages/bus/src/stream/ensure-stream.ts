import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { BusNames } from '../names.js';
import { isStreamNotFound } from '../nats/errors.js';

/** The largest event payload (UTF-8 JSON bytes) Interco publishes; the stream refuses larger. */
export const MAX_EVENT_BYTES = 65_536;

/** How long the stream keeps events by default: a year (replay needs every event). */
export const DEFAULT_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

/** The default duplicate window: a republish within it (same `Nats-Msg-Id`) is dropped. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 60 * 60 * 1000;

export interface StreamOptions {
  /** How long events are kept (default 365 days). */
  maxAgeMs?: number;
  /** The deduplication window (default 1 hour). */
  duplicateWindowMs?: number;
}

/** The settings Interco needs of its stream (docs/pipeline.md, "The stream"). */
export function streamSettings(names: BusNames, options: StreamOptions = {}) {
  return {
    subjects: [`${names.subjectPrefix}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msg_size: MAX_EVENT_BYTES,
    max_age: nanos(options.maxAgeMs ?? DEFAULT_MAX_AGE_MS),
    duplicate_window: nanos(options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
    discard: DiscardPolicy.Old,
    allow_direct: true,
  } satisfies Partial<StreamConfig>;
}

type Settings = ReturnType<typeof streamSettings>;

/** The settings that differ between the stream as it is and as Interco needs it. */
export function streamDifferences(config: Partial<StreamConfig>, wanted: Settings): (keyof Settings)[] {
  return (Object.keys(wanted) as (keyof Settings)[]).filter((key) => {
    const want = wanted[key];
    const have = config[key];
    return Array.isArray(want)
      ? !Array.isArray(have) || have.length !== want.length || want.some((s, i) => have[i] !== s)
      : have !== want;
  });
}

/**
 * Creates the event stream if it is missing, or updates it when its settings differ from what
 * Interco needs; answers its info. Storage and retention cannot change on an existing stream:
 * a stream that differs there is an error saying so (recreate it, or migrate its events).
 */
export async function ensureStream(
  jsm: JetStreamManager,
  names: BusNames,
  options: StreamOptions = {},
): Promise<StreamInfo> {
  const wanted = streamSettings(names, options);
  let info: StreamInfo;
  try {
    info = await jsm.streams.info(names.stream);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    try {
      return await jsm.streams.add({ name: names.stream, ...wanted });
    } catch (addError) {
      // Another service created it at the same moment (with other settings): update it below.
      info = await jsm.streams.info(names.stream).catch(() => {
        throw addError;
      });
    }
  }
  const differences = streamDifferences(info.config, wanted);
  if (differences.length === 0) return info;
  const fixed = differences.filter((key) => key === 'storage' || key === 'retention');
  if (fixed.length > 0) {
    throw new Error(
      `stream ${names.stream} has another ${fixed.join(' and ')} than Interco needs (${fixed
        .map((key) => `${key} ${wanted[key]}`)
        .join(', ')}), which cannot be changed in place: recreate the stream`,
    );
  }
  return jsm.streams.update(names.stream, { ...info.config, ...wanted });
}
