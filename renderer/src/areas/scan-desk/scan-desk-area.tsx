import { useCallback, useEffect, useRef, useState } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { maxStackUploadBytes } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { useBridgeState } from '../../api/bridge-health.js';
import { describeError } from '../../api/error-text.js';
import { useConfirm } from '../../components/confirm-dialog.js';
import { DropZone } from '../../components/drop-zone.js';
import { focusWhenPainted } from '../../components/focus.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { fileToBase64, safeUploadName } from '../../files.js';
import { PageViewer } from './page-viewer.js';
import { QueuePanel, useNow, type QueueStatus } from './queue-panel.js';
import { ReturnedPanel } from './returned-panel.js';
import { BillDetail, type BillActionName, type PageActionName } from './bill-detail.js';
import { BillList } from './bill-list.js';
import { countRows, isOutOfOrder, isReleasable, listRows, needsPerson, nextNeedingRow, orderRows, stateOfRow, type Bill, type Row, type RowPlaces, type Stack } from './desk-rows.js';
import { isUploadFixed, type GiveTarget } from './held-text.js';
import { OrphansDetail } from './orphans-detail.js';
import { ScanUserControl } from './scan-user-control.js';
import { StationCountsLine } from '../../components/station-counts.js';
import type { Upload } from './upload-detail.js';
import { WatchPanel } from './watch-panel.js';
import { formatDateTime, formatTime } from '../../components/date-text.js';
import { describeIntakeResult, groupDroppedFiles } from './intake-result.js';

/** Words said on the desk, made in the language shown when they are read. */
type Say = (t: TFunction) => string;

/** Scan desk: take scanned stacks in, see them split into bills with thumbnails, fix what is held. */
export function ScanDeskArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [stacks, setStacks] = useState<Stack[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ name: string; file: number; files: number } | null>(null);
  // Kept as words to say, not the words said: a notice made in Chinese reads in English after the switch.
  const [notice, setNotice] = useState<{ tone: 'pass' | 'warn' | 'fail'; text: Say } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const { ask, dialog } = useConfirm();
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const uploads = new Map((queue?.bills ?? []).map((upload) => [upload.id, upload]));
  const now = useNow();

  /**
   * Reads the stacks again; answers them (null when it failed). `quiet` for looks nobody asked for
   * (the watched folder changed, the page opened): a lost service greys the figures instead of
   * raising an error the clerk did not cause.
   */
  const refresh = useCallback(
    (quiet = false): Promise<Stack[] | null> =>
      api.scanDesk.overview().then((result) => {
        if (result.ok) {
          setStacks(result.value.stacks);
          return result.value.stacks;
        }
        if (!quiet) setNotice({ tone: 'fail', text: (t) => describeError(t, result.error) });
        return null;
      }),
    [api],
  );
  useEffect(() => {
    void refresh(true);
  }, [refresh]);
  // Pushed: the list follows the spool and the queue at once, not at the next look.
  useEffect(() => api.on('station:changed', () => void refresh()), [api, refresh]);

  // Stable to-do order: each row keeps the place it got when first shown, so a bill released or
  // starting to send stays where the clerk's eye and keyboard are; new rows go by their state.
  // Forgotten when the clerk sorts again or leaves the page (a hidden <Activity> runs this cleanup).
  // (A Map kept in state and only ever added to on first sight: rendering twice gives the same order.)
  const [places] = useState<RowPlaces>(() => new Map());
  const [, setSortRound] = useState(0);
  useEffect(() => () => places.clear(), [places]);
  const [onlyMine, setOnlyMine] = useState(false);
  const bridge = useBridgeState();
  const stale = bridge.downSince !== null ? t('live.unknownSince', { at: formatTime(bridge.downSince) }) : null;

  const rows = orderRows(listRows(stacks, uploads), uploads, places);
  const shownRows = onlyMine ? rows.filter((row) => needsPerson(row, uploads) || row.key === selected) : rows;
  const needCount = rows.filter((row) => needsPerson(row, uploads)).length;
  const current = rows.find((row) => row.key === selected) ?? null;
  const focusRow = (key: string) => focusWhenPainted(() => document.querySelector<HTMLElement>(`[data-testid="desk-rows"] [data-key="${CSS.escape(key)}"]`));
  const jump = () => {
    const first = rows.find((row) => stateOfRow(row, uploads) === 'held') ?? rows.find((row) => needsPerson(row, uploads));
    if (!first) return;
    setSelected(first.key);
    focusRow(first.key);
  };
  /** After an action on a row: on to the next row that needs a person (focus never falls to the body). */
  const goOn = (acted: Row, fresh: Stack[] | null, landing: string) => {
    const index = rows.findIndex((row) => row.key === acted.key);
    const next = fresh ? nextNeedingRow(orderRows(listRows(fresh, uploads), uploads, places), uploads, acted.key, index, needsPerson(acted, uploads) ? stateOfRow(acted, uploads) : undefined) : null;
    setSelected(next?.key ?? landing);
    focusRow(next?.key ?? landing);
  };
  const tell = (tone: 'pass' | 'warn' | 'fail', text: Say) => {
    setNotice({ tone, text });
    focusWhenPainted(() => noticeRef.current);
  };

  /** An action's error, the bill named as the clerk knows it (its code, or the file's pages before the first cover), never by internal id. */
  const describeFor = (t: TFunction, error: Parameters<typeof describeError>[1], named: string) => describeError(t, error.code === 'bill-not-found' ? { ...error, params: { ...error.params, bill: named } } : error);
  /** A bill as the clerk knows it: its code, or (no valid code) its file and first page. */
  const billName = (t: TFunction, bill: Bill) => bill.code ?? t('scanDeskPage.billWithoutCode', { file: stacks.find((stack) => stack.id === bill.stackId)?.name ?? '', page: bill.cover ?? bill.pages[0] ?? '?' });

  const takeIn = async (files: File[]) => {
    let jumpTo: string | null = null;
    // Several page images dropped together are one stack; each PDF or TIFF is its own.
    const groups = groupDroppedFiles(files);
    for (const [index, group] of groups.entries()) {
      const name = group.length === 1 ? (group[0] as File).name : `${(group[0] as File).name} … ${(group.at(-1) as File).name}`;
      setProgress({ name, file: index + 1, files: groups.length });
      const tooLarge = group.find((file) => file.size > maxStackUploadBytes);
      if (tooLarge) {
        tell('fail', (t) => t('errors.file-too-large', { name: tooLarge.name, size: `${Math.round(tooLarge.size / 1e6)} MB`, limit: `${maxStackUploadBytes / 1e6} MB` }));
        continue;
      }
      const result =
        group.length === 1
          ? await api.scanDesk.import({ name: safeUploadName((group[0] as File).name), dataBase64: await fileToBase64(group[0] as File) })
          : await api.scanDesk.importPages({ files: await Promise.all(group.map(async (file) => ({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) }))) });
      if (!result.ok) {
        tell('fail', (t) => describeError(t, result.error));
        continue;
      }
      const outcome = result.value;
      const said = describeIntakeResult(t, name, outcome, (iso) => formatDateTime(iso));
      tell(said.tone, (t) => describeIntakeResult(t, name, outcome, (iso) => formatDateTime(iso)).text);
      jumpTo ??= said.jumpTo;
    }
    setProgress(null);
    await refresh();
    // The first bill that needs the clerk is where the eye goes next.
    if (jumpTo) setSelected(jumpTo);
  };

  const [viewing, setViewing] = useState<{ stackId: string; page: number; pages: number[] } | null>(null);
  /** Page actions: move a page to the bill before or after, leave it out of the upload, put it back, make it a cover. */
  const pageAct = async (bill: Bill, page: number, action: PageActionName, options: { to?: 'previous' | 'next'; code?: string }): Promise<boolean> => {
    const { to, code } = options;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, page, ...(to ? { to } : {}), ...(action === 'mark-cover' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
      return false;
    }
    await refresh();
    const done = action === 'move-page' ? (to === 'previous' ? 'movedPrevious' : 'movedNext') : action === 'exclude-page' ? 'excluded' : action === 'mark-cover' ? 'markedCover' : 'restored';
    tell('pass', (t) => t(`scanDeskPage.pageDone.${done}`, { page, code: bill.code ?? '—' }));
    return true;
  };

  const notCover = async (bill: Bill) => {
    const result = await api.scanDesk.billAction({ billId: bill.id, action: 'not-a-cover' });
    if (!result.ok) return tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
    const fresh = await refresh();
    setNotice({ tone: 'pass', text: (t) => t('scanDeskPage.pageDone.notCover', { code: bill.code ?? t('scanDeskPage.noCode') }) });
    if (current) goOn(current, fresh, current.key);
  };

  const act = async (bill: Bill, action: BillActionName, code?: string): Promise<boolean> => {
    if (action === 'discard' && !(await ask({ title: t('scanDeskPage.discardTitle'), body: t('scanDeskPage.discardBody', { code: billName(t, bill) }), confirm: t('scanDeskPage.discard') }))) return false;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, ...(action === 'set-code' ? { code: code ?? '' } : {}) });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, billName(t, bill)));
      return false;
    }
    const fresh = await refresh();
    // The result is said where the eye is (the notice, announced); the keyboard goes on to the next bill that needs the clerk.
    setNotice({ tone: 'pass', text: (t) => t(`scanDeskPage.done.${action}`, { code: result.value.code ?? '—' }) });
    const acted = rows.find((row) => row.bill?.id === bill.id);
    if (acted) goOn(acted, fresh, result.value.id);
    else focusRow(result.value.id);
    return true;
  };

  /** Bills a stack's orphan pages may go to: any file's, not discarded, with a code, not yet sending. */
  const giveTargets: GiveTarget[] = stacks.flatMap((stack) =>
    stack.bills.flatMap((bill) => {
      const upload = uploads.get(bill.id);
      const open = upload === undefined || (upload.state === 'queued' && upload.sent === 0);
      return bill.state !== 'discarded' && bill.code !== null && open ? [{ id: bill.id, code: bill.code, file: stack.name }] : [];
    }),
  );
  const discardOrphans = async (stack: Stack): Promise<boolean> => {
    if (!(await ask({ title: t('scanDeskPage.discardOrphansTitle'), body: t('scanDeskPage.discardOrphansBody', { count: stack.orphans.length, file: stack.name }), confirm: t('scanDeskPage.discard') }))) return false;
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'discard' });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, t('scanDeskPage.orphansOf') + ' · ' + stack.name));
      return false;
    }
    await refresh();
    tell('pass', (t) => t('scanDeskPage.done.discard-orphans', { file: stack.name }));
    return true;
  };
  const giveOrphans = async (stack: Stack, target: GiveTarget): Promise<boolean> => {
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'give-orphans', target: target.id });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, target.code));
      return false;
    }
    await refresh();
    setSelected(result.value.id);
    tell('pass', (t) => t('scanDeskPage.done.take-orphans', { code: target.code }));
    return true;
  };
  const markOrphanCover = async (stack: Stack, page: number, code: string): Promise<boolean> => {
    const result = await api.scanDesk.billAction({ billId: `${stack.id}-orphans`, action: 'mark-cover', page, code });
    if (!result.ok) {
      tell('fail', (t) => describeFor(t, result.error, t('scanDeskPage.orphansOf') + ' · ' + stack.name));
      return false;
    }
    await refresh();
    setSelected(result.value.id);
    tell('pass', (t) => t('scanDeskPage.done.mark-orphan-cover', { page, code: result.value.code ?? code }));
    return true;
  };

  const releaseReviewed = async () => {
    const result = await api.scanDesk.releaseReviewed();
    if (!result.ok) return tell('fail', (t) => describeError(t, result.error));
    await refresh();
    tell('pass', (t) => t('billStatus.releasedReviewed', { count: result.value.released }));
  };

  const uploadAct = async (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => {
    const result = await api.upload.act({ action, billId: upload.id });
    if (!result.ok) return tell('fail', (t) => describeError(t, result.error));
    setQueue(result.value);
    tell('pass', (t) => t(`scanDeskPage.upload.done.${action}`, { code: upload.code }));
  };

  // Shortcuts for the two actions a clerk repeats all day, whenever a bill is selected and the
  // keyboard is not in a text field: R releases a held bill, Delete discards (after confirming).
  const onDeskKey = (event: React.KeyboardEvent<HTMLElement>) => {
    if (!current || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement) return;
    const bill = current.bill;
    if (!bill) {
      if (event.key === 'Delete') {
        event.preventDefault();
        void discardOrphans(current.stack);
      }
      return;
    }
    if (bill.state === 'discarded') return;
    // A bill being sent or sent: nothing to discard; say why instead of asking a false question.
    const upload = uploads.get(bill.id);
    if (isUploadFixed(upload)) {
      if (event.key === 'Delete') {
        event.preventDefault();
        tell('warn', (t) => t(upload.state === 'done' ? 'scanDeskPage.noDiscard.done' : 'scanDeskPage.noDiscard.sending', { code: bill.code ?? '—' }));
      }
      return;
    }
    if ((event.key === 'r' || event.key === 'R') && isReleasable(bill, upload)) {
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
      {/* Who the bills taken in now are recorded as scanned by, and where: signed in and out here. */}
      <ScanUserControl />
      {rows.length > 0 && (
        // The day's to-do at the top of the desk: how many bills wait for the clerk, and the way to the first.
        <p className={`banner ${needCount > 0 ? 'banner-warn' : 'banner-pass'} todo-banner`} data-testid="desk-todo">
          <span data-testid="desk-need-count">{needCount > 0 ? t('deskTodo.needYou', { count: needCount }) : t('deskTodo.nothingNeeded')}</span>
          {needCount > 0 && (
            <button type="button" className="primary" data-testid="desk-jump" onClick={jump}>
              {t('deskTodo.jump')}
            </button>
          )}
        </p>
      )}
      {viewing && <PageViewer stackId={viewing.stackId} page={viewing.page} pages={viewing.pages} onPage={(page: number) => setViewing({ ...viewing, page })} title={t('scanDeskPage.pageTitle', { page: viewing.page, name: stacks.find((stack) => stack.id === viewing.stackId)?.name ?? '' })} onClose={() => setViewing(null)} />}
      <ReturnedPanel queue={queue} />
      <WatchPanel onSpoolChanged={() => void refresh(true)} />
      <QueuePanel onStatus={setQueue} />
      <section className="panel">
        <DropZone text={t('scanDeskPage.drop')} busy={progress !== null} onFiles={(files) => void takeIn(files)} testId="desk-drop-zone" inputTestId="desk-file-input" />
        {progress && <ProgressBar value={progress.file - 1} max={progress.files} label={t('scanDeskPage.taking', progress)} />}
        {progress && <p className="muted">{t('scanDeskPage.taking', progress)}</p>}
        {notice && (
          <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="desk-notice">
            {notice.text(t)}
          </p>
        )}
      </section>
      {rows.length === 0 ? (
        <p className="muted">{t('scanDeskPage.empty')}</p>
      ) : (
        <section className="results-layout" onKeyDown={onDeskKey}>
          <BillList
            rows={shownRows}
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
            stale={stale}
            todo={{
              onlyMine,
              onOnlyMine: setOnlyMine,
              onSortAgain: isOutOfOrder(rows, uploads)
                ? () => {
                    places.clear();
                    setSortRound((round) => round + 1);
                  }
                : null,
            }}
          />
          {current?.bill && <BillDetail key={current.key} row={current} upload={current.bill ? uploads.get(current.bill.id) : undefined} now={now} onView={(page) => setViewing({ stackId: current.stack.id, page, pages: current.bill ? current.bill.pages : current.stack.orphans })} onAct={act} onPageAct={pageAct} onNotCover={notCover} onUploadAct={(upload, action) => void uploadAct(upload, action)} />}
          {current && !current.bill && <OrphansDetail key={current.key} stack={current.stack} targets={giveTargets} onView={(page) => setViewing({ stackId: current.stack.id, page, pages: current.stack.orphans })} onDiscardOrphans={discardOrphans} onGiveOrphans={giveOrphans} onMarkOrphanCover={markOrphanCover} />}
        </section>
      )}
    </>
  );
}

