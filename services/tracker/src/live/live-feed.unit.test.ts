import { describe, expect, it } from 'vitest';
import {
  CONSUMER_INFO_TIMEOUT_MS,
  LIVE_CATCH_UP_AT_MOST,
  liveStartSequence,
  readWithin,
  resumeTooOld,
} from './live-feed.js';

/** A projector whose ack floor, last delivered and unacked messages are these. */
const at = (ackFloor: number, delivered = ackFloor, ackPending = 0) => ({ ackFloor, delivered, ackPending });

describe('liveStartSequence', () => {
  it('starts at the first event of the batch in flight: the projector’s ack floor + 1 while it is the batch', () => {
    expect(liveStartSequence({ lastSeq: 120, projector: at(100, 110, 10), maxCatchUp: 1_000 })).toBe(101);
    // delivered up to 120, nothing acked since 100: every unacked one is in flight
    expect(liveStartSequence({ lastSeq: 120, projector: at(100, 120, 20), maxCatchUp: 1_000 })).toBe(101);
  });

  it('a message stuck far back (nak’ed for minutes) holds the ack floor: only the batches in flight are sent', () => {
    // seq 100 cannot be decoded (nak'ed every 5 min); 101..5000 acked but 4998..5000 in flight
    expect(liveStartSequence({ lastSeq: 5_000, projector: at(99, 5_000, 4), maxCatchUp: 1_000 })).toBe(4_997);
    // all acked but the stuck one: the last delivered one again (harmless), then what comes
    expect(liveStartSequence({ lastSeq: 5_000, projector: at(99, 5_000, 1), maxCatchUp: 1_000 })).toBe(5_000);
    // the same for one transfer's stream (no cap)
    expect(liveStartSequence({ lastSeq: 5_000, projector: at(99, 5_000, 1), maxCatchUp: undefined })).toBe(
      5_000,
    );
  });

  it('starts after the last sequence when the projector is caught up, or its position is unknown', () => {
    expect(liveStartSequence({ lastSeq: 120, projector: at(120), maxCatchUp: 1_000 })).toBe(121);
    expect(liveStartSequence({ lastSeq: 120, projector: undefined, maxCatchUp: 1_000 })).toBe(121);
    expect(liveStartSequence({ lastSeq: 120, projector: undefined, maxCatchUp: undefined })).toBe(121);
    // a position read just after an event came in (it is applied: nothing before it is sent)
    expect(liveStartSequence({ lastSeq: 120, projector: at(125), maxCatchUp: 1_000 })).toBe(121);
  });

  it('an empty stream and a projector that has acked nothing: from the first event', () => {
    expect(liveStartSequence({ lastSeq: 0, projector: at(0), maxCatchUp: 1_000 })).toBe(1);
    expect(liveStartSequence({ lastSeq: 10, projector: at(0, 10, 10), maxCatchUp: 1_000 })).toBe(1);
  });

  it('sends at most maxCatchUp events of a stream of every transfer; one transfer’s stream is not capped', () => {
    expect(liveStartSequence({ lastSeq: 50_000, projector: at(0, 3_000, 3_000), maxCatchUp: 1_000 })).toBe(
      49_001,
    );
    expect(
      liveStartSequence({ lastSeq: 50_000, projector: at(0, 3_000, 3_000), maxCatchUp: undefined }),
    ).toBe(1);
    expect(LIVE_CATCH_UP_AT_MOST).toBe(1_000);
  });
});

describe('resumeTooOld', () => {
  it('refuses a resume more than maxCatchUp events before the stream’s last sequence', () => {
    expect(resumeTooOld({ afterSeq: 1_000, lastSeq: 2_000, maxCatchUp: 1_000 })).toBe(false);
    expect(resumeTooOld({ afterSeq: 999, lastSeq: 2_000, maxCatchUp: 1_000 })).toBe(true);
    // an id from the future (another stream) is not "too old"
    expect(resumeTooOld({ afterSeq: 3_000, lastSeq: 2_000, maxCatchUp: 1_000 })).toBe(false);
  });
});

describe('readWithin', () => {
  it('answers the value read in time', async () => {
    expect(await readWithin(async () => 7, 1_000)).toBe(7);
  });

  it('gives up on a read that does not answer in time (the consumer info waits ~1 s at most)', async () => {
    const started = performance.now();
    expect(await readWithin(() => new Promise<number>(() => undefined), 30)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(CONSUMER_INFO_TIMEOUT_MS).toBe(1_000);
  });

  it('a read that fails (at once or later) is unknown, not an error', async () => {
    expect(
      await readWithin(() => {
        throw new Error('no such consumer');
      }, 1_000),
    ).toBeUndefined();
    expect(
      await readWithin(() => Promise.reject(new Error('JetStream not answering')), 1_000),
    ).toBeUndefined();
  });
});
