// The Scan panel of the desk: the Scan button and its key, the scanner's state, the scan as it runs, its result or error, interrupted scans, the setup.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeCode, describeError } from '../../api/error-text.js';
import { formatDateTime, formatTime } from '../../components/date-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { CaptureDevices } from './capture-devices.js';
import { CaptureProgress } from './capture-progress.js';
import { describeCondition, describeSettings, isRunning, listInterrupted, scanKey, showCondition, toneOfShown } from './capture-text.js';
import { useCapture, type CaptureEnd } from './use-capture.js';

/** What the desk knows of a stack a scan made: its bills, how many need a person, the first of them. */
export interface StackSummary {
  bills: number;
  need: number;
  firstKey: string | null;
}

/** True when a key press belongs to something else: a modal open, or a text field that uses the key itself. */
function isKeyTakenElsewhere(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return true;
  if (document.querySelector('dialog[open]')) return true;
  return event.key === 'Escape' && (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement);
}

/**
 * Direct capture on the Scan desk. The state lives in core (the panel re-reads it when shown and
 * follows its pushes), so a scan goes on while the clerk looks elsewhere. The result appears here and
 * takes the focus; `summarize` says what the desk made of a stack, `onJump` goes to a bill.
 */
/** The finished scan's "go to the first bill that needs you" (none when every bill is fine). */
function JumpToFirst({ firstKey, onJump }: { firstKey: string | null; onJump: (key: string) => void }) {
  const { t } = useTranslation();
  if (!firstKey) return null;
  return (
    <div className="actions">
      <button type="button" className="primary" data-testid="capture-jump" onClick={() => onJump(firstKey)}>
        {t('capture.jump')}
      </button>
    </div>
  );
}

export function CapturePanel({ summarize, onJump, onStackMade }: { summarize: (stackId: string) => StackSummary | null; onJump: (key: string) => void; onStackMade: (stackId: string) => void }) {
  const { t } = useTranslation();
  const resultRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const addressRef = useRef<HTMLInputElement>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const [setupOpen, setSetupOpen] = useState<boolean | null>(null);
  const onEnd = (_end: CaptureEnd) => focusWhenPainted(() => resultRef.current);
  const capture = useCapture({ onEnd, onStackMade });
  const { state, devices, settings, notice } = capture;
  const job = state?.job ?? null;
  const running = isRunning(job);
  const picked = devices?.find((device) => device.id === settings?.device) ?? null;
  // Opened by itself on a desk with no scanner picked (and left open while the clerk picks one); else the clerk opens it.
  if (setupOpen === null && settings !== null) setSetupOpen(settings.device === null);
  const showSetup = setupOpen ?? false;

  const scan = async (into?: string) => {
    if (running) return;
    if (!into && settings && settings.device === null) {
      setSetupOpen(true);
      capture.setNotice({ tone: 'fail', key: 'capture.noDevice' });
      focusWhenPainted(() => document.querySelector<HTMLInputElement>('[data-testid="capture-device"] input') ?? addressRef.current);
      return;
    }
    const outcome = await capture.start(into);
    focusWhenPainted(() => (outcome === 'started' ? cancelRef.current : outcome === 'failed' ? resultRef.current : noticeRef.current));
  };
  const cancel = () => {
    if (job?.phase === 'scanning' || job?.phase === 'checking') void capture.cancel();
  };
  const release = async (batchId: string) => {
    if (await capture.release(batchId)) focusWhenPainted(() => resultRef.current);
    else focusWhenPainted(() => noticeRef.current);
  };

  // The Scan key anywhere on the desk; Esc cancels a running scan. Only while the desk is shown (a hidden area's effects are off).
  const keys = useRef({ scan, cancel, running });
  useEffect(() => {
    keys.current = { scan, cancel, running };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isKeyTakenElsewhere(event)) return;
      if (event.key === scanKey && !keys.current.running) {
        event.preventDefault();
        void keys.current.scan();
      } else if (event.key === 'Escape' && keys.current.running) {
        event.preventDefault();
        keys.current.cancel();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (capture.unavailable && !state) {
    return (
      <section className="panel capture-panel" data-testid="capture-panel" data-available="false">
        <p className="muted" data-testid="capture-unavailable">
          {t('capture.unavailable', { reason: describeError(t, capture.unavailable) })}
        </p>
      </section>
    );
  }

  // The state the core last read of the picked scanner (also while the settings are still loading: never "no scanner" for a
  // moment on a desk that has one), else what the picker heard from it.
  const scanner = state?.scanner && (settings === null || state.scanner.device === settings.device) ? state.scanner : picked?.status ? { device: picked.id, name: picked.name, status: picked.status, at: null } : null;
  // Busy with this desk's own scan is no warning: the scan is what it is doing.
  const shown = scanner ? showCondition(scanner, job) : null;
  // The help line follows what is shown: a jam the last scan ran into, not a "ready" read before it.
  const condition = shown === null || shown === 'scanning' || shown === 'just-scanned' ? null : shown;
  const tone = shown ? toneOfShown(shown) : 'info';
  const interrupted = state ? listInterrupted(state) : [];
  const summary = job?.stackId ? summarize(job.stackId) : null;
  const releasedSummary = capture.released ? summarize(capture.released) : null;

  return (
    <section className="panel capture-panel" aria-labelledby="capture-title" data-testid="capture-panel" data-phase={job?.phase ?? 'none'}>
      <h2 id="capture-title" className="visually-hidden">
        {t('capture.title')}
      </h2>
      <div className="capture-head">
        {running ? (
          <button ref={cancelRef} type="button" className="capture-button capture-cancel" data-testid="capture-cancel" aria-disabled={job?.phase === 'cancelling' || job?.phase === 'finishing'} onClick={cancel}>
            {t('capture.cancel')} <kbd className="button-key">Esc</kbd>
          </button>
        ) : (
          <button type="button" className="primary capture-button" data-testid="capture-scan" onClick={() => void scan()} title={t('capture.scanHint', { key: scanKey })}>
            {t('capture.scan')} <kbd className="button-key">{scanKey}</kbd>
          </button>
        )}
        <div className={`capture-state capture-state-${tone}`} data-testid="capture-scanner-state" data-condition={shown ?? 'unknown'}>
          <strong>{scanner ? describeCondition(t, scanner.name, shown ?? scanner.status.condition) : picked ? t('capture.stateLineUnread', { name: picked.name }) : settings === null || (settings.device !== null && devices === null) ? t('capture.readingScanner') : t('capture.noScannerLine')}</strong>
          {condition && condition !== 'ready' && <span className="capture-state-help">{t(`capture.conditionHelp.${condition}`)}</span>}
          {!scanner && !picked && settings?.device === null && (
            <span className="capture-state-help" data-testid="capture-first-step">
              {t('capture.noScannerHelp')}
            </span>
          )}
          <span className="capture-state-line">
            {settings && describeSettings(t, settings)}
            {scanner?.at && <> {t('capture.stateAt', { at: formatTime(scanner.at, undefined, { seconds: true }) })}</>}
          </span>
        </div>
        <button type="button" className="secondary" aria-expanded={showSetup} aria-controls="capture-setup" data-testid="capture-setup-toggle" onClick={() => setSetupOpen(!showSetup)}>
          {showSetup ? t('capture.setupClose') : t('capture.setup')}
        </button>
      </div>
      {scanner?.status.detail && scanner.status.condition !== 'ready' && (
        <details className="support-details">
          <summary>{t('capture.details')}</summary>
          <code className="mono">{scanner.status.detail}</code>
        </details>
      )}
      {state?.platform === 'windows' && (
        <p className="muted" data-testid="capture-windows">
          {t('capture.windows')}
        </p>
      )}
      {job && running && <CaptureProgress job={job} />}
      <div ref={resultRef} tabIndex={-1} className="capture-result" data-testid="capture-result">
        {job && !running && capture.released === null && job.phase === 'done' && (
          <div className="banner banner-pass" role="status" data-testid="capture-done">
            {t('capture.done', { pages: job.pages, bills: summary?.bills ?? job.bills.filter((bill) => bill.code !== null).length })} {summary && (summary.need > 0 ? t('capture.doneNeed', { need: summary.need }) : t('capture.doneAllGood'))}
            <JumpToFirst firstKey={summary?.firstKey ?? null} onJump={onJump} />
          </div>
        )}
        {job && !running && capture.released === null && job.phase === 'cancelled' && (
          <div className="banner banner-warn" role="status" data-testid="capture-cancelled">
            {t('capture.cancelled', { pages: job.pages })} {summary && summary.need > 0 && t('capture.doneNeed', { need: summary.need })}
            <JumpToFirst firstKey={summary?.firstKey ?? null} onJump={onJump} />
          </div>
        )}
        {job && !running && capture.released === null && job.phase === 'failed' && (
          <div className="banner banner-fail" role="alert" data-testid="capture-failed" data-code={job.error?.code}>
            <div>{job.error ? describeCode(t, job.error.code, job.error.params) : t('capture.failed', { pages: job.pages })}</div>
            {job.batchId && job.pages > 0 && (
              <div className="actions">
                <span className="capture-kept">{t('capture.failed', { pages: job.pages })}</span>{' '}
                <button type="button" className="primary" data-testid="capture-continue" onClick={() => void scan(job.batchId ?? undefined)}>
                  {t('capture.continue')}
                </button>{' '}
                <button type="button" className="secondary" data-testid="capture-release" onClick={() => job.batchId && void release(job.batchId)}>
                  {t('capture.release')}
                </button>
              </div>
            )}
          </div>
        )}
        {capture.released !== null && (
          <div className="banner banner-pass" role="status" data-testid="capture-released">
            {t('capture.released')} {releasedSummary && (releasedSummary.need > 0 ? t('capture.doneNeed', { need: releasedSummary.need }) : t('capture.doneAllGood'))}
            {releasedSummary?.firstKey && (
              <div className="actions">
                <button type="button" className="primary" data-testid="capture-jump" onClick={() => releasedSummary.firstKey && onJump(releasedSummary.firstKey)}>
                  {t('capture.jump')}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
      {notice && (
        <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="capture-notice">
          {'error' in notice ? describeError(t, notice.error) : t(notice.key, notice.params)}
        </p>
      )}
      {interrupted.length > 0 && (
        <div className="capture-interrupted" data-testid="capture-interrupted">
          <h3>{t('capture.interrupted.title')}</h3>
          <p className="muted">{t('capture.interrupted.hint')}</p>
          <ul>
            {interrupted.map((held) => (
              <li key={held.batchId} className="banner banner-warn" data-batch={held.batchId}>
                <span>{t('capture.interrupted.line', { pages: held.pages, device: held.device.name, at: formatDateTime(held.lastAt ?? held.openedAt) })}</span>{' '}
                <button type="button" className="primary" data-testid="capture-interrupted-continue" disabled={running} onClick={() => void scan(held.batchId)}>
                  {t('capture.continue')}
                </button>{' '}
                <button type="button" className="secondary" data-testid="capture-interrupted-release" disabled={running} onClick={() => void release(held.batchId)}>
                  {t('capture.release')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {showSetup && (
        <div id="capture-setup">
          <CaptureDevices
            devices={devices}
            settings={settings}
            finding={capture.finding}
            adding={capture.adding}
            saved={capture.saved}
            onRefresh={() => void capture.loadDevices(true)}
            onPick={(id) => void capture.pick(id)}
            onAdd={capture.addDevice}
            // The removed scanner's button goes with it: the keyboard goes to the line that says so.
            onRemove={(device) => void capture.removeDevice(device).then(() => focusWhenPainted(() => noticeRef.current))}
            onSave={(next) => void capture.save(next)}
            addressRef={addressRef}
          />
        </div>
      )}
    </section>
  );
}
