/**
 * What the ERPNext client records (ErpnextClientOptions.metrics): a ServiceMetrics of
 * @interco/metrics fits. The operation label is the call's verb alone (`get`, `list`, `insert`,
 * `submit`, `cancel`, `call`, `ping`...), never its doctype, method path or arguments.
 */
import type { ServiceMetrics } from '@interco/metrics';

export type ErpnextMetrics = Pick<ServiceMetrics, 'erpnextRequest' | 'erpnextError' | 'breakerState'>;

const VERBS: ReadonlySet<string> = new Set([
  'get',
  'get_single',
  'list',
  'insert',
  'submit',
  'cancel',
  'call',
  'ping',
]);

/** The verb of an operation (`insert Purchase Order` -> `insert`); `other` for anything else. */
export function operationLabel(operation: string): string {
  const verb = operation.split(' ', 1)[0] ?? '';
  return VERBS.has(verb) ? verb : 'other';
}
