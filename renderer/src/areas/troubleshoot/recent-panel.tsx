// The bills this station uploaded in a time range, with the imaging system's status on demand.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatWhen } from '../../../../electron/shared/diagnose/trace-text.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { ImageStateBadge } from './image-state-badge.js';
import { localDay } from './local-day.js';

type RecentBill = ValueOf<'support:recent'>[number];

/** The bills this station uploaded in a time range, with the imaging system's status on demand. */
export function RecentPanel({ onTrace }: { onTrace: (code: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [range, setRange] = useState<'today' | 'week' | 'custom'>('today');
  const [from, setFrom] = useState(() => localDay(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(() => localDay(new Date()));
  const [bills, setBills] = useState<RecentBill[] | null>(null);
  const [busy, setBusy] = useState<'list' | 'refresh' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const timeRange = (): { from: string; to: string } => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    if (range === 'today') return { from: start.toISOString(), to: new Date(start.getTime() + 86_400_000).toISOString() };
    if (range === 'week') return { from: new Date(start.getTime() - 6 * 86_400_000).toISOString(), to: new Date(start.getTime() + 86_400_000).toISOString() };
    const first = new Date(`${from}T00:00:00`);
    const last = new Date(`${to}T00:00:00`);
    return { from: first.toISOString(), to: new Date(last.getTime() + 86_400_000).toISOString() };
  };
  const load = async (refresh: boolean) => {
    if (busy) return;
    setBusy(refresh ? 'refresh' : 'list');
    setProblem(null);
    const answer = await api.support.recent({ ...timeRange(), refresh });
    setBusy(null);
    if (!answer.ok) return setProblem(describeError(t, answer.error));
    setBills(answer.value);
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="recent-count"]'));
  };

  const returned = bills?.filter((bill) => bill.server?.status === 'returned').length ?? 0;
  return (
    <section className="panel" aria-labelledby="recent-title" data-testid="recent-panel">
      <h2 id="recent-title">{t('troubleshoot.recent.title')}</h2>
      <p className="muted">{t('troubleshoot.recent.intro')}</p>
      <div className="recent-form">
        <div className="radio-row" role="radiogroup" aria-label={t('troubleshoot.recent.title')}>
          {(['today', 'week', 'custom'] as const).map((option) => (
            <label key={option} className={`radio-card${range === option ? ' selected' : ''}`}>
              <input type="radio" name="recent-range" checked={range === option} data-testid={`recent-range-${option}`} onChange={() => setRange(option)} />
              {t(`troubleshoot.recent.ranges.${option}`)}
            </label>
          ))}
        </div>
        {range === 'custom' && (
          <div className="lookup-options">
            <label>
              {t('troubleshoot.recent.from')}
              <input type="date" value={from} max={to} onChange={(event) => setFrom(event.currentTarget.value)} />
            </label>
            <label>
              {t('troubleshoot.recent.to')}
              <input type="date" value={to} min={from} onChange={(event) => setTo(event.currentTarget.value)} />
            </label>
          </div>
        )}
        <div className="actions">
          <button type="button" className="secondary" aria-disabled={busy !== null} data-testid="recent-load" onClick={() => void load(false)}>
            {t('troubleshoot.recent.load')}
          </button>{' '}
          <button type="button" className="primary" aria-disabled={busy !== null} data-testid="recent-refresh" onClick={() => void load(true)}>
            {busy === 'refresh' ? t('troubleshoot.recent.refreshing') : t('troubleshoot.recent.refresh')}
          </button>
        </div>
      </div>
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.recent.refreshing')} />}
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
      {bills && (
        <>
          <p className={`banner banner-${returned > 0 ? 'fail' : 'info'}`} role="status" data-testid="recent-count">
            {bills.length === 0 ? t('troubleshoot.recent.none') : t('troubleshoot.recent.count', { count: bills.length })}
            {returned > 0 && ` · ${t('troubleshoot.recent.returnedCount', { count: returned })}`}
          </p>
          {bills.length > 0 && (
            <table className="results recent-table" data-testid="recent-table">
              <thead>
                <tr>
                  <th>{t('troubleshoot.recent.columns.code')}</th>
                  <th>{t('troubleshoot.recent.columns.closedAt')}</th>
                  <th className="num">{t('troubleshoot.recent.columns.pages')}</th>
                  <th>{t('troubleshoot.recent.columns.source')}</th>
                  <th>{t('troubleshoot.recent.columns.server')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {[...bills]
                  .sort((a, b) => Number(b.server?.status === 'returned') - Number(a.server?.status === 'returned'))
                  .map((bill) => (
                    <tr key={bill.billId} data-testid={`recent-${bill.code}`} data-status={bill.server?.status ?? 'not-checked'}>
                      <td className="mono code-text">{bill.code}</td>
                      <td>{formatWhen(bill.closedAt)}</td>
                      <td className="num">{bill.pages}</td>
                      <td>{bill.source}</td>
                      <td>
                        <ServerStatus bill={bill} />
                      </td>
                      <td>
                        <button type="button" className="secondary" onClick={() => onTrace(bill.code)}>
                          {t('troubleshoot.recent.trace')}
                        </button>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

/** What the imaging system says of one recent bill: its image state, status, whether its pages match, why it was returned. */
function ServerStatus({ bill }: { bill: RecentBill }) {
  const { t } = useTranslation();
  if (bill.serverError) return <span className="pill pill-warn">{describeCode(t, bill.serverError.code, bill.serverError.params)}</span>;
  if (!bill.server) return <span className="pill pill-skipped">{t('troubleshoot.recent.notChecked')}</span>;
  const tone = bill.server.status === 'returned' ? 'fail' : bill.server.status === 'closed' && bill.server.matches ? 'pass' : 'warn';
  return (
    <>
      <ImageStateBadge code={bill.server.imageState} testId={`recent-state-${bill.code}`} compact />{' '}
      <span className={`pill pill-${tone}`}>{t(`troubleshoot.serverStatus.${bill.server.status}`)}</span>{' '}
      {bill.server.status !== 'returned' && <span className="muted">{bill.server.matches ? t('troubleshoot.recent.matches') : t('troubleshoot.recent.differs')}</span>}
      {bill.server.returned && <div className="returned-reason">{t('troubleshoot.recent.returnedReason', { reason: bill.server.returned.reason })}</div>}
    </>
  );
}
