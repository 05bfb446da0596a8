import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { isBookkeepingWaitReason } from '../../../../electron/shared/station/station-state.js';
import { isAllSent } from '../../../../electron/shared/station/bill-status.js';
import { useApi } from '../../api/api-context.js';
import { announceEndpointChange } from '../../api/endpoint-events.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { useLiveFigures } from '../../api/live-figures.js';
import { StationCountsLine } from '../../components/station-counts.js';
import { secondsUntil, useNow } from './countdown.js';
import { describeWaiting } from './waiting-text.js';

/** The upload queue as the Scan desk shows it. */
export type QueueStatus = ValueOf<'upload:status'>;

/** How often the panel asks where the queue stands while the Scan desk is shown. */
const pollMs = 1500;

/**
 * The upload queue's header: what it is doing in large status colours (sending, paused and why,
 * waiting with the countdown, nothing to send), the counts, and what a clerk can do about it: pause,
 * resume, or check the connection when the upload gate is shut. Hands every status to `onStatus`
 * so the bills list shows each bill's upload state.
 */
export function QueuePanel({ onStatus }: { onStatus: (status: QueueStatus) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const now = useNow();
  const [status, setStatus] = useState<QueueStatus | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const { stale, onLook } = useLiveFigures();
  const report = useRef(onStatus);
  useEffect(() => {
    report.current = onStatus;
  }, [onStatus]);

  const adopt = (next: QueueStatus) => {
    setStatus(next);
    report.current(next);
  };
  useEffect(() => {
    let stopped = false;
    const look = async () => {
      const result = await api.upload.status();
      if (stopped) return;
      // A background look that fails greys the figures; it is no error of the clerk's (no banner).
      onLook(result.ok);
      if (!result.ok) return;
      setProblem(null);
      setStatus(result.value);
      report.current(result.value);
    };
    void look();
    // Pushed changes first; the poll stays as the fallback (and for the countdowns' sake).
    const unsubscribe = api.on('station:changed', () => void look());
    const timer = setInterval(() => void look(), pollMs);
    return () => {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
    };
  }, [api, t, onLook]);

  const act = async (action: 'pause' | 'resume') => {
    const result = await api.upload.act({ action });
    if (!result.ok) return setProblem(describeError(t, result.error));
    adopt(result.value);
  };
  const checkConnection = async () => {
    setChecking(true);
    const result = await api.endpoint.preflight({ jobId: crypto.randomUUID() });
    setChecking(false);
    announceEndpointChange();
    if (!result.ok) return setProblem(describeError(t, result.error));
    setProblem(result.value.ok ? null : t('queuePanel.checkFailed'));
  };

  if (!status) return null;
  const { state, reason, counts } = status;
  // The queue's own records cannot be written (a full disk…): a person must act, though it retries by itself.
  const stalled = state === 'waiting' && isBookkeepingWaitReason(reason);
  const station = status.station;
  // Bills waiting for a person (held, or to review) are never a green "nothing to do".
  const waitsForPerson = station !== undefined && station !== null && station.held + station.review > 0;
  const tone = state === 'paused' ? (reason === 'paused-by-person' ? 'warn' : 'fail') : stalled ? 'fail' : state === 'waiting' ? 'warn' : state === 'sending' ? 'info' : waitsForPerson ? 'warn' : 'pass';
  const headline = stalled
    ? `${t(`queuePanel.reasons.${reason}`)} · ${t('queuePanel.stalledRetry', { seconds: secondsUntil(status.nextAttemptAt, now) })}`
    : state === 'waiting'
      ? t('queuePanel.waiting', { seconds: secondsUntil(status.nextAttemptAt, now) })
      : state === 'paused' && reason
        ? t(`queuePanel.reasons.${reason}`)
        : // "Nothing to send, all gone" only when the one model agrees: not beside held, review or ready bills.
          state === 'idle' && station && !isAllSent(station)
          ? t('queuePanel.states.idleNotAllSent', { waiting: describeWaiting(t, station) })
          : t(`queuePanel.states.${state}`, { count: counts.queued + counts.sending });
  const gateShut = reason === 'preflight-missing' || reason === 'preflight-failed' || reason === 'preflight-stale' || reason === 'fix-settings';
  return (
    <section className={`panel queue-panel${stale ? ' stale-live' : ''}`} aria-label={t('queuePanel.title')} data-testid="queue-panel">
      <p className={`banner banner-${tone} queue-headline`} role="status" data-testid="queue-state" data-state={state} data-stale={stale ? 'true' : undefined} title={stale ? t('live.unknownHint') : undefined}>
        <strong>{t('queuePanel.title')}</strong> {stale ?? headline}
        {/* The gate's own reasons say it all; a refusal by the server adds its words. */}
        {status.detail && reason === 'fix-settings' && ` · ${describeCode(t, status.detail.code, status.detail.params)}`}
      </p>
      <p className="muted queue-counts" data-testid="queue-counts">
        {status.station ? <StationCountsLine counts={status.station} testId="queue-station-counts" /> : t('queuePanel.counts', counts)}
      </p>
      {problem && (
        <p className="banner banner-fail" role="alert" data-testid="queue-problem">
          {problem}
        </p>
      )}
      <div className="actions">
        {reason === 'paused-by-person' ? (
          <button type="button" className="primary" data-testid="queue-resume" onClick={() => void act('resume')}>
            {t('queuePanel.resume')}
          </button>
        ) : (
          <button type="button" className="secondary" data-testid="queue-pause" onClick={() => void act('pause')}>
            {t('queuePanel.pause')}
          </button>
        )}
        {gateShut && (
          <button type="button" className="primary" data-testid="queue-check" disabled={checking} onClick={() => void checkConnection()}>
            {checking ? t('queuePanel.checking') : t('queuePanel.checkNow')}
          </button>
        )}
      </div>
    </section>
  );
}
