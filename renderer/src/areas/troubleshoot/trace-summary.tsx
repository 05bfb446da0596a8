// The look-up's headline: how many codes are delivered, how many need attention, what the entries resolved to.
import { useTranslation } from 'react-i18next';
import type { Lookup } from './use-lookup.js';
import { verdictTone } from './verdicts.js';

/** The summary of one answer (focused when it arrives), then bill numbers resolved to codes and entries not found. */
export function TraceSummary({ result }: { result: Lookup }) {
  const { t } = useTranslation();
  const delivered = result.traces.filter((trace) => trace.verdict === 'delivered').length;
  // No images needed, voided with no copy here, sent from another desk: nothing for this station to do, so not "needs attention".
  const settled = result.traces.filter((trace) => verdictTone[trace.verdict] === 'info' && trace.owner !== 'clerk').length;
  return (
    <>
      <p className={`banner banner-${delivered + settled === result.traces.length && result.traces.length > 0 ? 'pass' : 'warn'}`} role="status" data-testid="trace-summary">
        {/* A page of a busy day counts this page: "共 200" beside "共 450 个编码" would say two totals. */}
        {t(result.total > result.traces.length ? 'troubleshoot.resultCountPage' : 'troubleshoot.resultCount', { count: result.traces.length, delivered, other: result.traces.length - delivered - settled })}
        {settled > 0 && t('troubleshoot.resultSettled', { count: settled })}
      </p>
      {result.resolved.map((entry) => (
        <p key={entry.billNo} className="muted" data-testid="trace-resolved">
          {t('troubleshoot.resolved', { billNo: entry.billNo, codes: entry.codes.join(', ') })}
        </p>
      ))}
      {result.unresolved.length > 0 && (
        <p className="banner banner-warn" data-testid="trace-unresolved">
          {t('troubleshoot.unresolved', { entries: result.unresolved.join(', ') })}
        </p>
      )}
    </>
  );
}
