import { describe, expect, it } from 'vitest';
import { LIVE_CATCH_UP_AT_MOST, liveStartSequence } from './live-feed.js';

describe('liveStartSequence', () => {
  it('starts at the first event the read model may not show yet: the projector’s ack floor + 1', () => {
    expect(liveStartSequence({ lastSeq: 120, ackFloor: 100, maxCatchUp: 1_000 })).toBe(101);
  });

  it('starts after the last sequence when the projector is caught up, or its ack floor is unknown', () => {
    expect(liveStartSequence({ lastSeq: 120, ackFloor: 120, maxCatchUp: 1_000 })).toBe(121);
    expect(liveStartSequence({ lastSeq: 120, ackFloor: undefined, maxCatchUp: 1_000 })).toBe(121);
    // a floor read just after an event came in (it is applied: nothing before it is sent)
    expect(liveStartSequence({ lastSeq: 120, ackFloor: 125, maxCatchUp: 1_000 })).toBe(121);
  });

  it('an empty stream and a projector that has acked nothing: from the first event', () => {
    expect(liveStartSequence({ lastSeq: 0, ackFloor: 0, maxCatchUp: 1_000 })).toBe(1);
    expect(liveStartSequence({ lastSeq: 10, ackFloor: 0, maxCatchUp: 1_000 })).toBe(1);
  });

  it('sends at most maxCatchUp events the read model may not show when the projector is far behind', () => {
    expect(liveStartSequence({ lastSeq: 50_000, ackFloor: 0, maxCatchUp: 1_000 })).toBe(49_001);
    expect(LIVE_CATCH_UP_AT_MOST).toBe(1_000);
  });
});
