// Paging through a busy day's codes: how many are left out, this page's range, the previous and next pages.
import { useTranslation } from 'react-i18next';
import type { Lookup, LookupState } from './use-lookup.js';

/** A count as people write it in the page's language (1,800). */
const countText = (count: number, language: string) => new Intl.NumberFormat(language).format(count);

/** The page bar, shown when an answer has more codes than one page or is past its first page. */
export function TracePageBar({ result, lookup }: { result: Lookup; lookup: LookupState }) {
  const { t, i18n } = useTranslation();
  const { text, day, busy, run } = lookup;
  if (!(result.leftOut > 0 || result.page > 1)) return null;
  return (
    <div className="banner banner-warn page-bar" data-testid="trace-pages">
      <span>
        <strong data-testid="trace-left-out">{t('troubleshoot.leftOutShort', { count: countText(result.leftOut, i18n.language) })}</strong>{' '}
        <span className="muted">{t('troubleshoot.pageRange', { first: countText(result.first, i18n.language), last: countText(result.first + result.traces.length - 1, i18n.language), total: countText(result.total, i18n.language) })}</span>
        {result.totalCapped && <span className="muted"> {t('troubleshoot.totalCapped', { total: countText(result.total, i18n.language) })}</span>}
      </span>
      <span className="actions">
        {result.page > 1 && (
          <button type="button" className="secondary" aria-disabled={busy} data-testid="trace-previous-page" onClick={() => void run(text, day, result.page - 1)}>
            {t('troubleshoot.previousPage')}
          </button>
        )}{' '}
        {result.leftOut > 0 && (
          <button type="button" className="primary" aria-disabled={busy} data-testid="trace-next-page" onClick={() => void run(text, day, result.page + 1)}>
            {t('troubleshoot.nextPage', { size: Math.min(200, result.leftOut), first: countText(result.first + result.traces.length, i18n.language), last: countText(result.first + result.traces.length - 1 + Math.min(200, result.leftOut), i18n.language) })}
          </button>
        )}
      </span>
    </div>
  );
}
