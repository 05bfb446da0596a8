// The troubleshooter's look-up panel: the form, the answer's summary and pages, a card per code, the ticket.
import { useTranslation } from 'react-i18next';
import { LookupForm } from './lookup-form.js';
import { TicketActions } from './ticket-actions.js';
import { TraceCard } from './trace-card.js';
import { TracePageBar } from './trace-page-bar.js';
import { TraceSummary } from './trace-summary.js';
import { useLookup } from './use-lookup.js';
import { problemsFirst } from './verdicts.js';

/** "No image" traced by image code, bill number or day; each code's answer in a card, problems first. */
export function LookupPanel({ onTraced, traceCodeRef }: { onTraced: (codes: string[]) => void; traceCodeRef: { current: (code: string) => void } }) {
  const { t, i18n } = useTranslation();
  const lookup = useLookup({ onTraced, traceCodeRef });
  const { busy, result, problem } = lookup;
  return (
    <section className="panel" aria-labelledby="lookup-title" data-testid="lookup-panel">
      <h2 id="lookup-title">{t('troubleshoot.lookupTitle')}</h2>
      <LookupForm lookup={lookup} />
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.looking')} />}
      {problem && (
        <p className="banner banner-fail" role="alert" data-testid="lookup-problem">
          {problem}
        </p>
      )}
      {result && (
        <div className="trace-results" lang={i18n.language}>
          <TraceSummary result={result} />
          <TracePageBar result={result} lookup={lookup} />
          {problemsFirst(result.traces).map((trace) => (
            <TraceCard key={trace.code} trace={trace} onChanged={lookup.replaceTrace} />
          ))}
          <TicketActions result={result} lookup={lookup} />
        </div>
      )}
    </section>
  );
}
