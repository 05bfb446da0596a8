import { useTranslation } from 'react-i18next';
import type { StationCounts } from '../../../electron/shared/station/bill-status.js';

/** Which counts are always shown (the rest only when not zero), in to-do order. */
const shownAlways = new Set<keyof StationCounts>(['held', 'ready']);
const order: Array<keyof StationCounts> = ['held', 'review', 'receiving', 'sending', 'ready', 'sentToday'];
const tone: Record<keyof StationCounts, string> = { held: 'warn', review: 'warn', receiving: 'info', sending: 'info', ready: 'pass', sentToday: 'pass' };

/**
 * The station's counts in the one model's words (`billStatus.counts`): the Scan desk list header,
 * the queue card and the status bar all render this, so the same bills have the same words and numbers.
 */
export function StationCountsLine({ counts, testId }: { counts: StationCounts; testId: string }) {
  const { t } = useTranslation();
  return (
    <span className="station-counts" data-testid={testId}>
      {order
        .filter((key) => shownAlways.has(key) || counts[key] > 0)
        .map((key) => (
          <span key={key} className={`status-dot status-dot-${key === 'held' && counts.held === 0 ? 'pass' : tone[key]}`} data-count={key} data-value={counts[key]}>
            {t(`billStatus.counts.${key}`, { count: counts[key] })}
          </span>
        ))}
    </span>
  );
}
