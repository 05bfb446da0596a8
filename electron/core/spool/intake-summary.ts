import type { IngestOutcome } from './spool.js';

/** What one intake made, at a glance: the stack and its bills (ready, needing a person, the first of those). */
export interface IntakeSummary {
  status: 'ingested' | 'already';
  stackId: string;
  importedAt: string;
  bills?: { total: number; ready: number; held: number; firstHeld: string | null; orphans: number };
}

/** Sums up an intake's outcome for the clerk: "6 bills: 4 ready, 2 need you", and the first bill to look at. */
export function summarizeIntake(outcome: IngestOutcome): IntakeSummary {
  if (outcome.status === 'already') return { status: 'already', stackId: outcome.stackId, importedAt: outcome.importedAt };
  const { stack } = outcome;
  const live = stack.bills.filter((bill) => bill.state !== 'discarded');
  const held = live.filter((bill) => bill.state === 'held');
  return {
    status: 'ingested',
    stackId: stack.id,
    importedAt: stack.importedAt,
    bills: { total: live.length, ready: live.length - held.length, held: held.length, firstHeld: held[0]?.id ?? null, orphans: stack.orphans.length },
  };
}
