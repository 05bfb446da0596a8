import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { maxStackUploadBytes } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';
import { describeError } from '../api/error-text.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { DropZone } from '../components/drop-zone.js';
import { focusWhenPainted } from '../components/focus.js';
import { ProgressBar } from '../components/progress-bar.js';
import { fileToBase64, safeUploadName } from '../files.js';
import { PageViewer } from './page-viewer.js';
import { QueuePanel, useNow, type QueueStatus } from './queue-panel.js';
import { ReturnedPanel } from './returned-panel.js';
import { BillDetail, type BillActionName, type PageActionName } from './scan-desk/bill-detail.js';
import { BillList } from './scan-desk/bill-list.js';
import { countRows, isReleasable, listRows, type Bill, type Stack } from './scan-desk/desk-rows.js';
import { StationCountsLine } from '../components/station-counts.js';
import type { Upload } from './scan-desk/upload-detail.js';
import { WatchPanel } from './watch-panel.js';

/** Scan desk: take scanned stacks in, see them split into bills with thumbnails, fix what is held. */
export function ScanDeskArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [stacks, setStacks] = useState<Stack[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ name: string; file: number; files: number } | null>(null);
  const [notice, setNotice] = useState<{ tone: 'pass' | 'warn' | 'fail'; text: string } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const { ask, dialog } = useConfirm();
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const uploads = new Map((queue?.bills ?? []).map((upload) => [upload.id, upload]));
  const now = useNow();

  const refresh = useCallback(
    () =>
      api.scanDesk.overview().then((result) => {
        if (result.ok) setStacks(result.value.stacks);
        else setNotice({ tone: 'fail', text: describeError(t, result.error) });
      }),
    [api, t],
  );
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // Pushed: the list follows the spool and the queue at once, not at the next look.
  useEffect(() => api.on('station:changed', () => void refresh()), [api, refresh]);

  const rows = listRows(stacks, uploads);
  const current = rows.find((row) => row.key === selected) ?? null;
  const tell = (tone: 'pass' | 'warn' | 'fail', text: string) => {
    setNotice({ tone, text });
    focusWhenPainted(() => noticeRef.current);
  };

  const takeIn = async (files: File[]) => {
    for (const [index, file] of files.entries()) {
      setProgress({ name: file.name, file: index + 1, files: files.length });
      if (file.size > maxStackUploadBytes) {
        tell('fail', t('errors.file-too-large', { name: file.name, size: `${Math.round(file.size / 1e6)} MB`, limit: `${maxStackUploadBytes / 1e6} MB` }));
        continue;
      }
      const result = await api.scanDesk.import({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) });
      if (!result.ok) tell('fail', describeError(t, result.error));
      else tell(result.value.status === 'already' ? 'warn' : 'pass', result.value.status === 'already' ? t('scanDeskPage.already', { name: file.name, at: new Date(result.value.importedAt).toLocaleString() }) : t('scanDeskPage.taken', { name: file.name }));
    }
    setProgress(null);
    await refresh();
  };

  const [viewing, setViewing] = useState<{ stackId: string; page: number } | null>(null);
  /** Page actions: move a page to the bill before or after, leave it out of the upload, put it back, make it a cover. */
  const pageAct = async (bill: Bill, page: number, action: PageActionName, options: { to?: 'previous' | 'next'; code?: string }): Promise<boolean> => {
    const { to, code } = options;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, page, ...(to ? { to } : {}), ...(action === 'mark-cover' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', describeError(t, result.error));
      return false;
    }
    await refresh();
    const done = action === 'move-page' ? (to === 'previous' ? 'movedPrevious' : 'movedNext') : action === 'exclude-page' ? 'excluded' : action === 'mark-cover' ? 'markedCover' : 'restored';
    tell('pass', t(`scanDeskPage.pageDone.${done}`, { page, code: bill.code ?? '—' }));
    return true;
  };

  const notCover = async (bill: Bill) => {
    const result = await api.scanDesk.billAction({ billId: bill.id, action: 'not-a-cover' });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    await refresh();
    tell('pass', t('scanDeskPage.pageDone.notCover', { code: bill.code ?? t('scanDeskPage.noCode') }));
  };

  const act = async (bill: Bill, action: BillActionName, code?: string): Promise<boolean> => {
    if (action === 'discard' && !(await ask({ title: t('scanDeskPage.discardTitle'), body: t('scanDeskPage.discardBody', { code: bill.code ?? '—' }), confirm: t('scanDeskPage.discard') }))) return false;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, ...(action === 'set-code' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', describeError(t, result.error));
      return false;
    }
    await refresh();
    setSelected(result.value.id);
    tell('pass', t(`scanDeskPage.done.${action}`, { code: result.value.code ?? '—' }));
    return true;
  };

  const releaseReviewed = async () => {
    const result = await api.scanDesk.releaseReviewed();
    if (!result.ok) return tell('fail', describeError(t, result.error));
    await refresh();
    tell('pass', t('billStatus.releasedReviewed', { count: result.value.released }));
  };

  const uploadAct = async (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => {
    const result = await api.upload.act({ action, billId: upload.id });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setQueue(result.value);
    tell('pass', t(`scanDeskPage.upload.done.${action}`, { code: upload.code }));
  };

  // Shortcuts for the two actions a clerk repeats all day, whenever a bill is selected and the
  // keyboard is not in a text field: R releases a held bill, Delete discards (after confirming).
  const onDeskKey = (event: React.KeyboardEvent<HTMLElement>) => {
    const bill = current?.bill;
    if (!bill || bill.state === 'discarded' || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    if ((event.key === 'r' || event.key === 'R') && isReleasable(bill, uploads.get(bill.id))) {
      event.preventDefault();
      void act(bill, 'release');
    } else if (event.key === 'Delete') {
      event.preventDefault();
      void act(bill, 'discard');
    }
  };

  return (
    <>
      {dialog}
      {viewing && <PageViewer stackId={viewing.stackId} page={viewing.page} title={t('scanDeskPage.pageTitle', { page: viewing.page, name: stacks.find((stack) => stack.id === viewing.stackId)?.name ?? '' })} onClose={() => setViewing(null)} />}
      <ReturnedPanel queue={queue} />
      <WatchPanel onSpoolChanged={() => void refresh()} />
      <QueuePanel onStatus={setQueue} />
      <section className="panel">
        <DropZone text={t('scanDeskPage.drop')} busy={progress !== null} onFiles={(files) => void takeIn(files)} testId="desk-drop-zone" inputTestId="desk-file-input" />
        {progress && <ProgressBar value={progress.file - 1} max={progress.files} label={t('scanDeskPage.taking', progress)} />}
        {progress && <p className="muted">{t('scanDeskPage.taking', progress)}</p>}
        {notice && (
          <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="desk-notice">
            {notice.text}
          </p>
        )}
      </section>
      {rows.length === 0 ? (
        <p className="muted">{t('scanDeskPage.empty')}</p>
      ) : (
        <section className="results-layout" onKeyDown={onDeskKey}>
          <BillList
            rows={rows}
            uploads={uploads}
            selected={selected}
            onSelect={setSelected}
            summary={
              <>
                {/* The station's counts as the status bar shows them (the same model, the same words). */}
                <StationCountsLine counts={queue?.station ?? countRows(rows, uploads)} testId="desk-summary" />
                {(queue?.station?.review ?? countRows(rows, uploads).review) > 0 && (
                  <button type="button" className="secondary small" data-testid="desk-release-reviewed" onClick={() => void releaseReviewed()}>
                    {t('billStatus.releaseAllReviewed')}
                  </button>
                )}
              </>
            }
          />
          {current && <BillDetail key={current.key} row={current} upload={current.bill ? uploads.get(current.bill.id) : undefined} now={now} onView={(page) => setViewing({ stackId: current.stack.id, page })} onAct={act} onPageAct={pageAct} onNotCover={notCover} onUploadAct={(upload, action) => void uploadAct(upload, action)} />}
        </section>
      )}
    </>
  );
}

