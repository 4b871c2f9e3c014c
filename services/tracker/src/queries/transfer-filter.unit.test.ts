import { describe, expect, it } from 'vitest';
import { buildTransferFilter } from './transfer-filter.js';

const now = new Date('2026-12-05T12:00:00.000Z');
const clock = { now, stuckAfterMs: 15 * 60_000 };
const NOT_HIDDEN = { status: { $ne: null } };

describe('buildTransferFilter', () => {
  it('leaves out documents without a state, and nothing else, when no filter is given', () => {
    expect(buildTransferFilter({}, clock)).toEqual(NOT_HIDDEN);
  });

  it('status', () => {
    expect(buildTransferFilter({ status: 'failed' }, clock)).toEqual({
      $and: [NOT_HIDDEN, { status: 'failed' }],
    });
  });

  it('step: the current step', () => {
    expect(buildTransferFilter({ step: 'dn_a' }, clock)).toEqual({
      $and: [NOT_HIDDEN, { current_step: 'dn_a' }],
    });
  });

  it('created_from (inclusive) and created_to (exclusive), in the stored form of times', () => {
    expect(
      buildTransferFilter(
        { created_from: '2026-12-01T01:00:00+01:00', created_to: '2026-12-02T00:00:00Z' },
        clock,
      ),
    ).toEqual({
      $and: [
        NOT_HIDDEN,
        { created_at: { $gte: '2026-12-01T00:00:00.000Z' } },
        { created_at: { $lt: '2026-12-02T00:00:00.000Z' } },
      ],
    });
  });

  it('instance: either side', () => {
    expect(buildTransferFilter({ instance: 'erp-a' }, clock)).toEqual({
      $and: [NOT_HIDDEN, { $or: [{ instance_a: 'erp-a' }, { instance_b: 'erp-a' }] }],
    });
  });

  it('company: any company the transfer names', () => {
    expect(buildTransferFilter({ company: 'Co' }, clock)).toEqual({
      $and: [
        NOT_HIDDEN,
        {
          $or: [
            { company_a: 'Co' },
            { company_b: 'Co' },
            { company_b_customer_in_a: 'Co' },
            { company_a_supplier_in_b: 'Co' },
          ],
        },
      ],
    });
  });

  it('reference', () => {
    expect(buildTransferFilter({ reference: 'PO-7' }, clock)).toEqual({
      $and: [NOT_HIDDEN, { reference: 'PO-7' }],
    });
  });

  it('serial: the transfers its lookup found, none when it found nothing', () => {
    expect(buildTransferFilter({ serial: 'SN-1' }, { ...clock, transferIds: ['tr_1', 'tr_2'] })).toEqual({
      $and: [NOT_HIDDEN, { _id: { $in: ['tr_1', 'tr_2'] } }],
    });
    expect(buildTransferFilter({ serial: 'SN-1' }, clock)).toEqual({
      $and: [NOT_HIDDEN, { _id: { $in: [] } }],
    });
  });

  it('stuck=true: running and no event since now - stuckAfterMs', () => {
    expect(buildTransferFilter({ stuck: 'true' }, clock)).toEqual({
      $and: [
        NOT_HIDDEN,
        {
          status: { $in: ['pending', 'in_progress', 'waiting', 'cancelling'] },
          updated_at: { $lt: '2026-12-05T11:45:00.000Z' },
        },
      ],
    });
  });

  it('stuck=false: not running, or an event since the threshold', () => {
    expect(buildTransferFilter({ stuck: 'false' }, clock)).toEqual({
      $and: [
        NOT_HIDDEN,
        {
          $or: [
            { status: { $nin: ['pending', 'in_progress', 'waiting', 'cancelling'] } },
            { updated_at: { $gte: '2026-12-05T11:45:00.000Z' } },
          ],
        },
      ],
    });
  });

  it('a cursor keeps what sorts after the last item (created_at desc, then id desc)', () => {
    const after = { created_at: '2026-12-01T00:00:00.000Z', id: 'tr_01JD8X3Z7Q5K2M9V4W6R8T0Y1B' };
    expect(buildTransferFilter({}, { ...clock, after })).toEqual({
      $and: [
        NOT_HIDDEN,
        {
          $or: [
            { created_at: { $lt: after.created_at } },
            { created_at: after.created_at, _id: { $lt: after.id } },
          ],
        },
      ],
    });
  });

  it('combines every filter with AND', () => {
    const filter = buildTransferFilter(
      { status: 'waiting', step: 'pr_a', instance: 'erp-b', reference: 'R', stuck: 'true' },
      clock,
    );
    expect(filter.$and).toHaveLength(6);
  });
});
