import { describe, expect, it } from 'vitest';
import { busNames } from '../names.js';
import { MAX_EVENT_BYTES, streamDifferences, streamSettings } from './ensure-stream.js';

describe('streamSettings', () => {
  it('is limits retention on file, every subject of the prefix, 64 KiB events, a year, 1 h dedupe', () => {
    const settings = streamSettings(busNames('t_abc'));
    expect(settings).toMatchObject({
      subjects: ['t_abc.>'],
      retention: 'limits',
      storage: 'file',
      max_msg_size: MAX_EVENT_BYTES,
      discard: 'old',
      allow_direct: true,
    });
    expect(settings.max_age).toBe(365 * 24 * 3600 * 1e9);
    expect(settings.duplicate_window).toBe(3600 * 1e9);
    expect(streamSettings(busNames(), { maxAgeMs: 1000, duplicateWindowMs: 10 })).toMatchObject({
      max_age: 1e9,
      duplicate_window: 1e7,
    });
  });

  it('names the settings that differ', () => {
    const wanted = streamSettings(busNames('t_abc'));
    expect(streamDifferences({ ...wanted }, wanted)).toEqual([]);
    expect(streamDifferences({ ...wanted, subjects: ['t_abc.>', 'x.>'], max_msg_size: -1 }, wanted)).toEqual([
      'subjects',
      'max_msg_size',
    ]);
  });
});
