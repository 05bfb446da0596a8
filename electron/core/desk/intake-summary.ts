import type { IngestOutcome } from '../spool/spool.js';

/** What one intake made, at a glance: the stack and its bills (ready, needing a person, the first of those). */
export interface IntakeSummary {
  status: 'ingested' | 'already';
  stackId: string;
  importedAt: string;
  /** `held` counts the held bills (not the pages before the first cover: `orphans` counts those pages), so total = ready + review + held; `firstHeld` is the desk row to jump to. */
  bills?: { total: number; ready: number; review: number; held: number; firstHeld: string | null; orphans: number };
}

/** Sums up an intake's outcome for the clerk: "6 bills: 4 ready, 2 need you" (and how many wait for review), and the first bill to look at. */
export function summarizeIntake(outcome: IngestOutcome): IntakeSummary {
  if (outcome.status === 'already') return { status: 'already', stackId: outcome.stackId, importedAt: outcome.importedAt };
  const { stack } = outcome;
  const live = stack.bills.filter((bill) => bill.state !== 'discarded');
  const held = live.filter((bill) => bill.state === 'held');
  // In review mode a new bill waits for the clerk's release: not held, not ready either.
  const review = live.filter((bill) => bill.state === 'review');
  return {
    status: 'ingested',
    stackId: stack.id,
    importedAt: stack.importedAt,
    bills: {
      total: live.length,
      ready: live.length - held.length - review.length,
      review: review.length,
      // Bills only: the pages before the first cover are no bill, so the sentence's parts add up to `total`.
      held: held.length,
      // The desk lists a stack's pages before its first cover first, as the row `<stack>-orphans`;
      // with nothing held, the first bill waiting for review is where the clerk goes next.
      firstHeld: stack.orphans.length > 0 ? `${stack.id}-orphans` : (held[0]?.id ?? review[0]?.id ?? null),
      orphans: stack.orphans.length,
    },
  };
}
