import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../api/api-context.js';
import { useLiveFigures } from '../api/live-figures.js';
import { endpointChangedEvent } from '../api/endpoint-events.js';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';
import { isBookkeepingWaitReason, noticesBetween, type QueueReason, type StationLook } from '../../../electron/shared/station/station-state.js';
import { showBrowserNotices } from './browser-notices.js';
import { StationCountsLine } from './station-counts.js';
import { isAllSent, type StationCounts } from '../../../electron/shared/station/bill-status.js';
import type { TFunction } from 'i18next';
import { describeShown, showCondition, toneOfShown } from './scanner-condition.js';

type Info = ValueOf<'app:info'>;

/** The queue as the status bar has it: its state, why it is paused, and its own count of bills to go. */
interface QueueLook {
  state: string;
  reason: QueueReason | null;
  toGo: number;
  held: number;
}

/**
 * The queue in the status bar's words: why it sends nothing (a person's pause, or the gate: no passed
 * connection check) and how many bills wait to go, counted by the one status model (ready + sending)
 * when the station's counts are known, so it never says "paused, 0 to go" beside unsent bills.
 */
function describeQueue(t: TFunction, queue: QueueLook, bills: StationCounts | null): string {
  const count = bills ? bills.ready + bills.sending : queue.toGo;
  if (queue.state === 'paused' && queue.reason && !isBookkeepingWaitReason(queue.reason)) return t(`status.queueNotSending.${queue.reason}`, { count });
  if (queue.state === 'idle' && bills && !isAllSent(bills)) return count > 0 ? t('status.queueIdleReady', { count }) : t('status.queueIdleNotAllSent');
  return t(`status.queueStates.${queue.state}`, { count });
}

/** The always-visible status line: endpoint, bills, the upload queue, runtime, bridge health. */
export function StatusBar({ info, bridgeUp }: { info: Info | null; bridgeUp: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const [endpoint, setEndpoint] = useState<ValueOf<'endpoint:settings'> | null>(null);
  useEffect(() => {
    const load = () => void api.endpoint.settings().then((result) => result.ok && setEndpoint(result.value));
    load();
    window.addEventListener(endpointChangedEvent, load);
    // The gate also changes without this page doing anything (the queue recording a refusal, or
    // re-checking by itself): look again now and then.
    const timer = setInterval(load, 5000);
    return () => {
      window.removeEventListener(endpointChangedEvent, load);
      clearInterval(timer);
    };
  }, [api]);
  // The scan desk's bills and the upload queue, whatever page is shown (a held bill is the clerk's to
  // fix), in one look every 3 s; in browser mode the same look feeds the desktop notifications.
  const [bills, setBills] = useState<StationCounts | null>(null);
  const [queue, setQueue] = useState<QueueLook | null>(null);
  const notifies = info?.runtime === 'browser';
  const { stale, onLook } = useLiveFigures();
  useEffect(() => {
    let previous: StationLook | null = null;
    let stopped = false;
    const load = async () => {
      const [watch, status] = await Promise.all([api.scanDesk.watchStatus(), api.upload.status()]);
      if (stopped) return;
      onLook(watch.ok && status.ok);
      if (watch.ok) setBills(watch.value.counts);
      if (status.ok) {
        const { counts } = status.value;
        setQueue({ state: status.value.state, reason: status.value.reason, toGo: counts.queued + counts.sending + counts.waiting, held: counts.held });
      }
      if (!notifies || !watch.ok || !status.ok) return;
      // The model's held holds the server's refusals too: those are announced per bill, not again here.
      const next: StationLook = { queue: status.value, heldAtIntake: Math.max(0, watch.value.counts.held - status.value.counts.held) };
      const notices = noticesBetween(previous, next);
      previous = next;
      await showBrowserNotices(t, notices);
    };
    void load();
    // Pushed: a change of the spool or the queue shows at once; the poll is only the fallback.
    const unsubscribe = api.on('station:changed', (change) => {
      setBills(change.counts);
      void load();
    });
    const timer = setInterval(() => void load(), 3000);
    return () => {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
    };
  }, [api, notifies, t, onLook]);
  // The picked scanner's state, as core last read it: read once, then pushed with every capture change.
  const [capture, setCapture] = useState<Pick<ValueOf<'capture:state'>, 'scanner' | 'job'> | null>(null);
  useEffect(() => {
    let stopped = false;
    void api.capture.state().then((result) => !stopped && result.ok && setCapture(result.value));
    const unsubscribe = api.on('capture:changed', (state) => setCapture(state));
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [api]);
  const scanner = capture?.scanner ?? null;
  const shownScanner = scanner ? showCondition(scanner, capture?.job) : null;
  const last = endpoint?.lastPreflight;
  // With the background service gone nothing is known: never show a stale green.
  const gateOpen = bridgeUp && last !== null && last !== undefined && last.ok && !last.stale;
  const runtimeKey = info?.runtime === 'electron' ? 'status.runtimeElectron' : info?.runtime === 'browser' ? 'status.runtimeBrowser' : 'status.runtimeCli';
  return (
    <footer className="status-bar" aria-label={t('status.label')} data-testid="status-bar">
      {!bridgeUp && (
        <span className="status-item status-fail" role="alert">
          ● {t('status.bridgeDown')}
        </span>
      )}
      <span className="status-item">
        <strong>{t('status.endpoint')}</strong>
        <span data-testid="status-endpoint">{endpoint ? (endpoint.settings.adapter === 'folder' ? t('endpointSettings.adapters.folder') : t(`connectionPage.presets.${endpoint.settings.preset}`)) : '…'}</span>
        {endpoint && (
          <span className={`status-dot ${gateOpen ? 'status-dot-pass' : 'status-dot-warn'}`} data-testid="status-gate" title={gateOpen ? undefined : t('status.gateHint')}>
            {!bridgeUp ? t('status.gateUnknown') : gateOpen ? t('status.gateOpen') : t('status.gateShut')}
          </span>
        )}
      </span>
      <span className="status-item" data-testid="status-bills" data-stale={stale ? 'true' : undefined}>
        <strong>{t('status.bills')}</strong>
        {stale ? (
          <span className="status-dot status-dot-stale">{stale}</span>
        ) : bills ? (
          <StationCountsLine counts={bills} testId="status-counts" />
        ) : (
          '…'
        )}
      </span>
      <span className="status-item" data-testid="status-queue" data-state={queue?.state} data-stale={stale ? 'true' : undefined}>
        <strong>{t('status.queue')}</strong>
        {stale ? (
          <span className="status-dot status-dot-stale">{stale}</span>
        ) : queue ? (
          queue.state === 'waiting' && isBookkeepingWaitReason(queue.reason) ? (
            <span className="status-dot status-dot-warn" data-reason={queue.reason}>
              {t(`status.queueStalled.${queue.reason}`, { count: queue.toGo })}
            </span>
          ) : (
            <span className={`status-dot ${queue.state === 'paused' || (bills ? bills.held + bills.review : queue.held) > 0 ? 'status-dot-warn' : 'status-dot-pass'}`} data-reason={queue.reason ?? undefined}>
              {describeQueue(t, queue, bills)}
            </span>
          )
        ) : (
          '…'
        )}
      </span>
      {scanner && (
        // The scanner's name on hover only: the state is what the bar must fit at 1024 px.
        <span className="status-item" data-testid="status-scanner" data-condition={shownScanner ?? scanner.status.condition} title={scanner.name}>
          <strong>{t('capture.statusBar')}</strong>
          <span className={`status-dot status-dot-${toneOfShown(shownScanner ?? scanner.status.condition)}`}>● {describeShown(t, shownScanner ?? scanner.status.condition)}</span>
        </span>
      )}
      <span className="status-spacer" />
      {info && (
        <span className="status-item muted" title={t(runtimeKey)}>
          <span className="status-runtime">{t(runtimeKey)} · </span>v{info.version}
        </span>
      )}
    </footer>
  );
}
