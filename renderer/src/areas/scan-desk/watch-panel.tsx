import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { useLiveFigures } from '../../api/live-figures.js';
import { TextField } from '../../components/field.js';
import { formatTime } from '../../components/date-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { focusWhenPainted } from '../../components/focus.js';

type WatchReport = ValueOf<'scanDesk:watchStatus'>;

/** How often the panel asks where the scan folder stands while the Scan desk is shown. */
const pollMs = 1500;

/** How often while a file is being received (its progress bar). */
const receivingPollMs = 400;

/**
 * The watched scan folder: where it stands (watching, paused, gone — with the fix), files still
 * being written, what it took in or refused lately; and the folder itself. Calls `onSpoolChanged`
 * whenever the spool changed (a file was taken in), so the bills list follows by itself.
 */
export function WatchPanel({ onSpoolChanged }: { onSpoolChanged: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [report, setReport] = useState<WatchReport | null>(null);
  const [folderText, setFolderText] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { stale, onLook } = useLiveFigures();
  const revision = useRef<number | null>(null);
  const changed = useRef(onSpoolChanged);
  useEffect(() => {
    changed.current = onSpoolChanged;
  }, [onSpoolChanged]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const look = async () => {
      const result = await api.scanDesk.watchStatus();
      if (stopped) return;
      // A file being received moves page by page: looked at more often then, so its bar moves.
      timer = setTimeout(() => void look(), result.ok && result.value.receiving ? receivingPollMs : pollMs);
      // A background look that fails greys the line; it is no error of the clerk's (no banner).
      onLook(result.ok);
      if (!result.ok) return;
      setReport(result.value);
      if (revision.current !== null && revision.current !== result.value.revision) changed.current();
      revision.current = result.value.revision;
    };
    void look();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [api, t, onLook]);

  const status = report?.status ?? { state: 'off' as const };
  const folder = 'folder' in status ? status.folder : '';
  const shownFolder = folderText ?? folder;
  const apply = async (next: string | null, paused: boolean) => {
    const result = await api.scanDesk.setWatch({ folder: next, paused });
    if (!result.ok) return setProblem(describeError(t, result.error));
    setProblem(null);
    setFolderText(null);
    setReport(result.value);
    if (revision.current !== result.value.revision) changed.current();
    revision.current = result.value.revision;
  };

  const tone = status.state === 'watching' ? 'pass' : status.state === 'unavailable' || status.state === 'failing' ? 'fail' : status.state === 'paused' ? 'warn' : 'info';
  const line =
    status.state === 'off' ? t('scanDeskPage.watch.off')
    : status.state === 'watching' ? t('scanDeskPage.watch.watching', { folder: status.folder })
    : status.state === 'paused' ? t('scanDeskPage.watch.paused', { folder: status.folder })
    : status.state === 'failing' ? t('scanDeskPage.watch.failing', { folder: status.folder, reason: describeError(t, status.error as AppErrorInfo) })
    : t('scanDeskPage.watch.unavailable', { folder: status.folder, reason: t(`scanDeskPage.watch.reason.${status.reason}`) });
  const latest = report?.recent[0];
  const batch = report?.batch ?? null;
  const receiving = report?.receiving ?? null;
  /** The batch the clerk just closed (its page count): said where the button was, and focused, so the keyboard stays here. */
  const [closedPages, setClosedPages] = useState<number | null>(null);
  const closedRef = useRef<HTMLParagraphElement>(null);
  const closeBatch = async () => {
    const pages = report?.batch?.pages ?? 0;
    const result = await api.scanDesk.closeBatch();
    if (!result.ok) return setProblem(describeError(t, result.error));
    setProblem(null);
    setClosedPages(pages);
    focusWhenPainted(() => closedRef.current);
    setReport(result.value);
    if (revision.current !== result.value.revision) changed.current();
    revision.current = result.value.revision;
  };

  return (
    <section className="panel watch-panel" aria-labelledby="watch-title" data-testid="watch-panel">
      <h2 id="watch-title" className="visually-hidden">
        {t('scanDeskPage.watch.title')}
      </h2>
      <p className={`banner banner-${tone}${stale ? ' stale-live' : ''}`} role="status" data-testid="watch-status" data-state={status.state} data-stale={stale ? 'true' : undefined} title={stale ? t('live.unknownHint') : undefined}>
        {stale ? `${stale} · ` : ''}
        {line}
        {status.state === 'watching' && status.waiting > 0 && <> {t('scanDeskPage.watch.waiting', { count: status.waiting })}</>}
        {status.state === 'watching' && status.backlog > 0 && <> <span data-testid="watch-backlog">{t('scanDeskPage.watch.backlog', { count: status.backlog })}</span></>}
      </p>
      {status.state === 'watching' && status.claimedElsewhere.length > 0 && (
        <p className="muted" data-testid="watch-claimed-elsewhere">
          {t('scanDeskPage.watch.claimedElsewhere', { count: status.claimedElsewhere.length, names: status.claimedElsewhere.slice(0, 5).join(', ') })}
        </p>
      )}
      {receiving && (
        <div data-testid="watch-receiving">
          <ProgressBar value={receiving.page} max={Math.max(1, receiving.pages)} label={t('scanDeskPage.watch.receiving', receiving)} />
          <p className="muted">{receiving.pages > 0 ? t('scanDeskPage.watch.receiving', receiving) : t('scanDeskPage.watch.receivingStart', receiving)}</p>
        </div>
      )}
      {closedPages !== null && (!batch || batch.closeRequested) && (
        <p ref={closedRef} tabIndex={-1} className="banner banner-pass" role="status" data-testid="watch-batch-closed">
          {t('scanDeskPage.watch.batchClosed', { pages: closedPages })}
        </p>
      )}
      {batch && (
        <div className="banner banner-info watch-batch" data-testid="watch-batch" data-pages={batch.pages}>
          <span role="status">{batch.closeRequested ? t('scanDeskPage.watch.batchClosing', { pages: batch.pages }) : t('scanDeskPage.watch.batch', { pages: batch.pages, first: batch.first ?? '', last: batch.last ?? '' })}</span>{' '}
          <button type="button" className="primary" data-testid="watch-close-batch" disabled={batch.closeRequested} onClick={() => void closeBatch()}>
            {t('scanDeskPage.watch.closeBatch')}
          </button>
        </div>
      )}
      {latest && (
        <p className="muted" data-testid="watch-latest">
          {formatTime(latest.at, undefined, { seconds: true })} · <bdi>{latest.name}</bdi> · {latest.error ? describeError(t, latest.error as AppErrorInfo) : t(`scanDeskPage.watch.event.${latest.kind}`)}
        </p>
      )}
      <form
        className="watch-form"
        onSubmit={(event) => {
          event.preventDefault();
          void apply(shownFolder.trim() || null, false);
        }}
      >
        <TextField label={t('scanDeskPage.watch.folderLabel')} value={shownFolder} onChange={setFolderText} mono wide testId="watch-folder" placeholder={'D:\\Scans'} maxLength={1000} />
        <div className="actions">
          <button type="submit" className="primary" data-testid="watch-start" disabled={!shownFolder.trim() || (shownFolder === folder && status.state !== 'off' && status.state !== 'paused')}>
            {status.state === 'paused' && shownFolder === folder ? t('scanDeskPage.watch.resume') : t('scanDeskPage.watch.start')}
          </button>
          {(status.state === 'watching' || status.state === 'unavailable' || status.state === 'failing') && (
            <button type="button" data-testid="watch-pause" onClick={() => void apply(folder, true)}>
              {t('scanDeskPage.watch.pause')}
            </button>
          )}
          {status.state !== 'off' && (
            <button type="button" data-testid="watch-stop" onClick={() => void apply(null, false)}>
              {t('scanDeskPage.watch.stop')}
            </button>
          )}
        </div>
      </form>
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
