// How a trace's verdict reads at a glance: its colour, and problems before the delivered codes.
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';

/** One code's trace as the look-up answers it. */
export type Trace = ValueOf<'support:lookup'>['traces'][number];

/** How a verdict looks: delivered is green, what the station still has to do amber, what needs someone red. */
export const verdictTone: Record<Trace['verdict'], 'pass' | 'warn' | 'fail' | 'info'> = {
  delivered: 'pass',
  'delivered-elsewhere': 'info',
  'delivered-unverified': 'warn',
  waiting: 'warn',
  held: 'fail',
  returned: 'fail',
  'pages-differ': 'fail',
  discarded: 'fail',
  'not-scanned': 'fail',
  'sync-mode': 'info',
  'no-image-needed': 'info',
  'close-lost': 'fail',
  'server-has-none': 'fail',
  voided: 'info',
};

/** The codes that need someone first (in the order asked), the delivered ones after. */
export function problemsFirst(traces: readonly Trace[]): Trace[] {
  return [...traces].sort((a, b) => Number(a.verdict === 'delivered') - Number(b.verdict === 'delivered'));
}
