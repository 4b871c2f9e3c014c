/** The four ERPNext documents of a transfer, in the order they are made. */
export const STEPS = ['po_a', 'pr_a', 'dn_a', 'pr_b'] as const;
export type Step = (typeof STEPS)[number];

export interface StepInfo {
  /** Which company's ERPNext the document is made in. */
  readonly company: 'a' | 'b';
  readonly doctype: 'Purchase Order' | 'Purchase Receipt' | 'Delivery Note';
  /** The service that makes it. */
  readonly service: string;
}

export const STEP_INFO: Readonly<Record<Step, StepInfo>> = {
  po_a: { company: 'a', doctype: 'Purchase Order', service: 'po-a' },
  pr_a: { company: 'a', doctype: 'Purchase Receipt', service: 'pr-a' },
  dn_a: { company: 'a', doctype: 'Delivery Note', service: 'dn-a' },
  pr_b: { company: 'b', doctype: 'Purchase Receipt', service: 'pr-b' },
};

export function nextStep(step: Step): Step | undefined {
  return STEPS[STEPS.indexOf(step) + 1];
}

export function previousStep(step: Step): Step | undefined {
  const i = STEPS.indexOf(step);
  return i > 0 ? STEPS[i - 1] : undefined;
}
