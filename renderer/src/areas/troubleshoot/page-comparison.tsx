// The evidence under a code's card: page by page, what the station sent beside what the imaging system holds.
import { useTranslation } from 'react-i18next';
import { formatWhen } from '../../../../electron/shared/diagnose/trace-text.js';
import type { Trace } from './verdicts.js';

/**
 * Page by page: the SHA-256 the station sent (its newest delivered or sending bill) beside what the
 * imaging system holds, and when it received each — the evidence behind "same", "missing", "extra".
 */
export function PageComparison({ trace }: { trace: Trace }) {
  const { t } = useTranslation();
  const sent = [...trace.station.bills].sort((a, b) => b.importedAt.localeCompare(a.importedAt)).find((bill) => bill.upload?.state === 'done') ?? trace.station.bills.find((bill) => bill.upload);
  const mine = sent?.upload?.sha256 ?? [];
  const theirs = new Map((trace.server?.pages ?? []).map((page) => [page.page, page]));
  const count = Math.max(mine.length, ...theirs.keys(), 0);
  if (count === 0) return null;
  const short = (sha: string | undefined) => (sha ? `${sha.slice(0, 12)}…` : '—');
  return (
    <table className="results page-compare" data-testid={`trace-pages-${trace.code}`}>
      <thead>
        <tr>
          <th className="num">{t('troubleshoot.pages.page')}</th>
          <th>{t('troubleshoot.pages.station')}</th>
          <th>{t('troubleshoot.pages.server')}</th>
          <th>{t('troubleshoot.pages.received')}</th>
          <th>{t('troubleshoot.pages.verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: count }, (_, index) => {
          const page = index + 1;
          const held = theirs.get(page);
          const verdict = !trace.server ? 'unknown' : mine[index] === undefined ? 'extra' : !held ? 'missing' : held.sha256 === mine[index] ? 'same' : 'differ';
          return (
            <tr key={page}>
              <td className="num">{page}</td>
              <td className="mono">{short(mine[index])}</td>
              <td className="mono">{short(held?.sha256)}</td>
              <td>{held ? formatWhen(held.receivedAt) : '—'}</td>
              <td>
                <span className={`pill pill-${verdict === 'same' ? 'pass' : verdict === 'unknown' ? 'skipped' : 'fail'}`}>{t(`troubleshoot.pages.verdicts.${verdict}`)}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
