/**
 * What the end-to-end tests check once transfers are done: which document each step makes where,
 * exactly one submitted document per marker (no duplicates), and the serials moved from A to B.
 */
import type { TransferState } from '@interco/contracts';
import { expect } from 'vitest';
import type { Pipeline } from './pipeline.js';

/** Each step: its site and the doctype it makes there. */
export const STEP_DOCUMENTS = [
  ['po_a', 'a', 'Purchase Order'],
  ['pr_a', 'a', 'Purchase Receipt'],
  ['dn_a', 'a', 'Delivery Note'],
  ['pr_b', 'b', 'Purchase Receipt'],
] as const;

/**
 * For transfers of one chunk each, per step: every transfer's marker held by exactly one
 * submitted document, no other document of the doctype in the site, and the document the step
 * named (`states`, in the order of `ids`) the one holding its marker.
 */
export async function expectOneDocumentPerMarker(
  pipeline: Pipeline,
  ids: readonly string[],
  states: readonly TransferState[],
): Promise<void> {
  for (const [step, site, doctype] of STEP_DOCUMENTS) {
    const { markers, all } = await pipeline[site].byMarker(doctype, ids);
    expect(markers.size, doctype).toBe(ids.length);
    const notOne = [...markers].filter(([, docs]) => docs.length !== 1 || docs[0]?.docstatus !== 1);
    expect(notOne.map(([marker, docs]) => [marker, docs.map((d) => [d.name, d.docstatus])])).toEqual([]);
    expect(all, doctype).toBe(ids.length);
    for (const [i, id] of ids.entries()) {
      const named = states[i]?.steps[step].documents.map((d) => d.name);
      expect(named, `${step} of ${id}`).toEqual(markers.get(`${id}:${step}:0`)?.map((d) => d.name));
    }
  }
}

/** Every serial went through: delivered in A, in stock in B's warehouse. */
export async function expectSerialsMoved(pipeline: Pipeline, serials: readonly string[]): Promise<void> {
  const delivered = new Set((await pipeline.a.serials({ status: 'Delivered' })).map((s) => s.name));
  const active = new Set(
    (await pipeline.b.serials({ status: 'Active', warehouse: 'Stores - CB' })).map((s) => s.name),
  );
  expect(serials.filter((s) => !delivered.has(s))).toEqual([]);
  expect(serials.filter((s) => !active.has(s))).toEqual([]);
}
