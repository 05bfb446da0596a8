import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatWhen } from '../../../../electron/shared/diagnose/trace-text.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import type { QueueStatus } from './queue-panel.js';

type Returned = ValueOf<'support:returned'>[number];

/** How often the Scan desk looks for returns (a refresh on the Troubleshoot page or a refusal records them). */
const pollMs = 5000;

/** The reason as a clerk reads it: the rescan reason's name, and the reviewer's text when it says more. */
function reasonText(t: ReturnType<typeof useTranslation>['t'], entry: Returned): string {
  if (entry.reasonName) return entry.reason && entry.reason !== entry.reasonName ? t('scanDeskPage.returned.reasonNamed', { name: entry.reasonName, reason: entry.reason }) : t('scanDeskPage.returned.reason', { reason: entry.reasonName });
  if (entry.reasonCode) return t('scanDeskPage.returned.reasonCoded', { reason: entry.reason, code: entry.reasonCode });
  return t('scanDeskPage.returned.reason', { reason: entry.reason });
}

/**
 * Bills the imaging system returned for a rescan, first on the Scan desk with the reviewer's reason:
 * each waits for its paper to be scanned again, or shows that its rescan is on its way (it goes up as
 * the next round, the first scan's pages kept on the server).
 */
export function ReturnedPanel({ queue }: { queue: QueueStatus | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [returned, setReturned] = useState<Returned[]>([]);
  useEffect(() => {
    let stopped = false;
    const look = async () => {
      const answer = await api.support.returned();
      if (!stopped && answer.ok) setReturned(answer.value.filter((entry) => !entry.resolved));
    };
    void look();
    const timer = setInterval(() => void look(), pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  if (returned.length === 0) return null;
  return (
    <section className="panel returned-panel" aria-labelledby="returned-title" data-testid="returned-panel">
      <h2 id="returned-title" className="returned-title">
        {t('scanDeskPage.returned.title', { count: returned.length })}
      </h2>
      <ul className="returned-list">
        {returned.map((entry) => {
          const rescan = queue?.bills.find((bill) => bill.code === entry.code && bill.state !== 'done' && bill.importedAt >= entry.noticedAt);
          return (
            <li key={entry.code} data-testid={`returned-${entry.code}`} data-state={rescan ? 'rescan' : 'waiting'}>
              <span className="mono trace-code">{entry.code}</span> <strong className="returned-reason">{reasonText(t, entry)}</strong>{' '}
              <span className="muted">{t('scanDeskPage.returned.at', { at: formatWhen(entry.returnedAt), round: entry.round })}</span>
              <div>{rescan ? t('scanDeskPage.returned.rescan', { state: t(`scanDeskPage.upload.states.${rescan.state}`) }) : t('scanDeskPage.returned.waiting')}</div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
