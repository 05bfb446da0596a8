import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';
import { maxStackUploadBytes } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';
import { describeCode, describeError } from '../api/error-text.js';
import { useConfirm } from '../components/confirm-dialog.js';
import { DropZone } from '../components/drop-zone.js';
import { moveSelectionByKey } from '../components/list-keys.js';
import { TextField } from '../components/field.js';
import { focusWhenPainted } from '../components/focus.js';
import { ProgressBar } from '../components/progress-bar.js';
import { fileToBase64, safeUploadName } from '../files.js';
import { QrBox } from '../components/qr-box.js';
import { PageViewer } from './page-viewer.js';
import { QueuePanel, secondsUntil, useNow, type QueueStatus } from './queue-panel.js';
import { ReturnedPanel } from './returned-panel.js';
import { WatchPanel } from './watch-panel.js';
import { describeIntakeResult, groupDroppedFiles } from './intake-result.js';

type Stack = ValueOf<'scanDesk:overview'>['stacks'][number];
type Bill = Stack['bills'][number];
type Upload = QueueStatus['bills'][number];

/** A row of the bills list: a bill, or a stack's pages before its first cover. */
type Row = { key: string; stack: Stack; bill: Bill | null };

/** Scan desk: take scanned stacks in, see them split into bills with thumbnails, fix what is held. */
export function ScanDeskArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [stacks, setStacks] = useState<Stack[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ name: string; file: number; files: number } | null>(null);
  const [notice, setNotice] = useState<{ tone: 'pass' | 'warn' | 'fail'; text: string } | null>(null);
  const [codeText, setCodeText] = useState('');
  const listRef = useRef<HTMLUListElement>(null);
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

  const stackRows: Row[] = stacks.flatMap((stack) => [
    ...(stack.orphans.length > 0 ? [{ key: `${stack.id}-orphans`, stack, bill: null }] : []),
    ...stack.bills.map((bill) => ({ key: bill.id, stack, bill })),
  ]);
  // Bills the imaging system refused come first: they are the ones a person must look at.
  const uploadHeld = (row: Row): number => (row.bill && uploads.get(row.bill.id)?.state === 'held' ? 0 : 1);
  const rows = [...stackRows].sort((a, b) => uploadHeld(a) - uploadHeld(b));
  const current = rows.find((row) => row.key === selected) ?? null;
  const tell = (tone: 'pass' | 'warn' | 'fail', text: string) => {
    setNotice({ tone, text });
    focusWhenPainted(() => noticeRef.current);
  };

  const takeIn = async (files: File[]) => {
    let jumpTo: string | null = null;
    // Several page images dropped together are one stack; each PDF or TIFF is its own.
    const groups = groupDroppedFiles(files);
    for (const [index, group] of groups.entries()) {
      const name = group.length === 1 ? (group[0] as File).name : `${(group[0] as File).name} … ${(group.at(-1) as File).name}`;
      setProgress({ name, file: index + 1, files: groups.length });
      const tooLarge = group.find((file) => file.size > maxStackUploadBytes);
      if (tooLarge) {
        tell('fail', t('errors.file-too-large', { name: tooLarge.name, size: `${Math.round(tooLarge.size / 1e6)} MB`, limit: `${maxStackUploadBytes / 1e6} MB` }));
        continue;
      }
      const result =
        group.length === 1
          ? await api.scanDesk.import({ name: safeUploadName((group[0] as File).name), dataBase64: await fileToBase64(group[0] as File) })
          : await api.scanDesk.importPages({ files: await Promise.all(group.map(async (file) => ({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) }))) });
      if (!result.ok) {
        tell('fail', describeError(t, result.error));
        continue;
      }
      const said = describeIntakeResult(t, name, result.value, (iso) => new Date(iso).toLocaleString());
      tell(said.tone, said.text);
      jumpTo ??= said.jumpTo;
    }
    setProgress(null);
    await refresh();
    // The first bill that needs the clerk is where the eye goes next.
    if (jumpTo) setSelected(jumpTo);
  };

  const [selectedPage, setSelectedPage] = useState<number | null>(null);
  const [viewing, setViewing] = useState<{ stackId: string; page: number } | null>(null);
  /** Page actions: move a page to the bill before or after, leave it out of the upload, put it back. */
  const [coverCodeText, setCoverCodeText] = useState('');
  const pageAct = async (bill: Bill, page: number, action: 'move-page' | 'exclude-page' | 'restore-page' | 'mark-cover', to?: 'previous' | 'next') => {
    const result = await api.scanDesk.billAction({ billId: bill.id, action, page, ...(to ? { to } : {}), ...(action === 'mark-cover' ? { code: coverCodeText.trim() } : {}) });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setSelectedPage(null);
    setCoverCodeText('');
    await refresh();
    const done = action === 'move-page' ? (to === 'previous' ? 'movedPrevious' : 'movedNext') : action === 'exclude-page' ? 'excluded' : action === 'mark-cover' ? 'markedCover' : 'restored';
    tell('pass', t(`scanDeskPage.pageDone.${done}`, { page, code: bill.code ?? '—' }));
  };

  const notCover = async (bill: Bill) => {
    const result = await api.scanDesk.billAction({ billId: bill.id, action: 'not-a-cover' });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    await refresh();
    tell('pass', t('scanDeskPage.pageDone.notCover', { code: bill.code ?? t('scanDeskPage.noCode') }));
  };

  const act = async (bill: Bill, action: 'release' | 'discard' | 'set-code' | 'take-orphans') => {
    if (action === 'discard' && !(await ask({ title: t('scanDeskPage.discardTitle'), body: t('scanDeskPage.discardBody', { code: bill.code ?? '—' }), confirm: t('scanDeskPage.discard') }))) return;
    const result = await api.scanDesk.billAction({ billId: bill.id, action, ...(action === 'set-code' ? { code: codeText.trim() } : {}) });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setCodeText('');
    await refresh();
    setSelected(result.value.id);
    tell('pass', t(`scanDeskPage.done.${action}`, { code: result.value.code ?? '—' }));
  };

  const uploadAct = async (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => {
    const result = await api.upload.act({ action, billId: upload.id });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setQueue(result.value);
    tell('pass', t(`scanDeskPage.upload.done.${action}`, { code: upload.code }));
  };

  const onListKey = (event: React.KeyboardEvent<HTMLElement>) =>
    moveSelectionByKey(
      event,
      rows.map((row) => row.key),
      selected,
      setSelected,
    );

  // Shortcuts for the two actions a clerk repeats all day, whenever a bill is selected and the
  // keyboard is not in a text field: R releases a held bill, Delete discards (after confirming).
  const onDeskKey = (event: React.KeyboardEvent<HTMLElement>) => {
    const bill = current?.bill;
    if (!bill || bill.state === 'discarded' || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    if ((event.key === 'r' || event.key === 'R') && bill.state === 'held' && bill.held !== 'suspect-cover') {
      event.preventDefault();
      void act(bill, 'release');
    } else if (event.key === 'Delete') {
      event.preventDefault();
      void act(bill, 'discard');
    }
  };

  const counts = { ready: 0, held: 0 };
  for (const row of rows) {
    if (!row.bill || row.bill.state === 'held') counts.held += 1;
    else if (row.bill.state === 'ready' && uploads.get(row.bill.id)?.state !== 'done') counts.ready += 1;
  }
  const pagesOf = (row: Row) => (row.bill ? row.bill.pages : row.stack.orphans);

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
          <div className="panel result-list">
            <div className="list-head">
              <span data-testid="desk-summary">{t('scanDeskPage.summary', counts)}</span>
            </div>
            <ul onKeyDown={onListKey} ref={listRef}>
              {rows.map((row) => {
                const state = row.bill ? row.bill.state : 'held';
                const upload = row.bill ? uploads.get(row.bill.id) : undefined;
                return (
                  <li key={row.key}>
                    <button type="button" data-key={row.key} data-testid={`desk-row-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`} className={`result-row${row.key === selected ? ' selected' : ''}`} aria-pressed={row.key === selected} onClick={() => setSelected(row.key)} title={row.stack.name}>
                      {upload ? (
                        <span className={`pill pill-${uploadTone[upload.state]}`} data-testid={`desk-upload-${upload.code}`} data-state={upload.state}>
                          {upload.state === 'sending' ? t('scanDeskPage.upload.sendingShort', { sent: upload.sent, pages: upload.pages }) : t(`scanDeskPage.upload.states.${upload.state}`)}
                        </span>
                      ) : (
                        <span className={`pill pill-${state === 'ready' ? 'pass' : state === 'held' ? 'warn' : 'skipped'}`}>{t(`scanDeskPage.states.${state}`)}</span>
                      )}
                      <span className="result-name">
                        <span className="result-file mono">{row.bill ? (row.bill.code ?? t('scanDeskPage.noCode')) : t('scanDeskPage.orphans')}</span>
                        <span className="muted nowrap">{t('units.pages', { count: pagesOf(row).length })}</span>
                      </span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </div>
          {current && (
            <div className="panel detail" data-testid="desk-detail">
              <h2>{current.bill ? (current.bill.code ?? t('scanDeskPage.noCode')) : t('scanDeskPage.orphans')}</h2>
              <p className="muted">
                <bdi>{current.stack.name}</bdi> · {t('scanDeskPage.pagesOfStack', { pages: pagesOf(current).join(', ') })}
              </p>
              {current.bill?.held && (
                <p className="banner banner-warn" data-testid="desk-held">
                  {t(`split.held.${current.bill.held}`)}
                  {current.bill.suspect ? ` · ${current.bill.suspect.payload}` : ''}
                  {current.bill.damaged?.length ? ` · ${t('scanDeskPage.damagedPages', { pages: current.bill.damaged.join(', ') })}` : ''}
                </p>
              )}
              {!current.bill && <p className="banner banner-warn">{t('scanDeskPage.orphansHint')}</p>}
              {current.bill && uploads.get(current.bill.id) && <UploadDetail upload={uploads.get(current.bill.id) as Upload} now={now} onAct={(upload, action) => void uploadAct(upload, action)} />}
              <div className="thumbs" data-testid="desk-thumbs">
                {pagesOf(current).map((number) => {
                  const page = current.stack.pages.find((candidate) => candidate.page === number);
                  return page ? (
                    <figure key={number} className={`thumb${page.kind === 'blank' ? ' thumb-blank' : ''}`}>
                      <button
                        type="button"
                        className={`thumb-button${selectedPage === number ? ' selected' : ''}`}
                        aria-pressed={selectedPage === number}
                        aria-keyshortcuts="Enter"
                        title={t('scanDeskPage.openHint')}
                        data-testid={`desk-page-${number}`}
                        onClick={() => setSelectedPage(number)}
                        onDoubleClick={() => setViewing({ stackId: current.stack.id, page: number })}
                        onKeyDown={(event) => {
                          // Enter opens the page large (Space still selects it).
                          if (event.key !== 'Enter') return;
                          event.preventDefault();
                          setSelectedPage(number);
                          setViewing({ stackId: current.stack.id, page: number });
                        }}
                      >
                        <span className="thumb-frame">
                          <img src={page.thumbPng} alt={t('scanDeskPage.pageAlt', { page: number })} />
                          <QrBox qr={page.qr} testId={page.qr ? `desk-qr-${number}` : undefined} />
                        </span>
                      </button>
                      <figcaption>{number === current.bill?.cover ? t('scanDeskPage.coverPage', { page: number }) : t('templateCheck.pageLabel', { page: number })}</figcaption>
                    </figure>
                  ) : null;
                })}
              </div>
              {current.bill && selectedPage !== null && current.bill.pages.includes(selectedPage) && (
                <div className="actions page-actions" data-testid="desk-page-actions">
                  <span className="muted">{t('scanDeskPage.pageSelected', { page: selectedPage })}</span>
                  <button type="button" className="secondary" data-testid="desk-open-page" onClick={() => setViewing({ stackId: current.stack.id, page: selectedPage })}>
                    {t('scanDeskPage.openPage')} <kbd className="button-key">Enter</kbd>
                  </button>
                  {selectedPage !== current.bill.cover && current.bill.state !== 'discarded' && (
                    <>
                  <button type="button" className="secondary" data-testid="desk-move-previous" disabled={current.stack.bills.indexOf(current.bill) === 0} onClick={() => void pageAct(current.bill as Bill, selectedPage, 'move-page', 'previous')}>
                    {t('scanDeskPage.movePrevious')}
                  </button>
                  <button type="button" className="secondary" data-testid="desk-move-next" disabled={current.stack.bills.indexOf(current.bill) === current.stack.bills.length - 1} onClick={() => void pageAct(current.bill as Bill, selectedPage, 'move-page', 'next')}>
                    {t('scanDeskPage.moveNext')}
                  </button>
                  <button type="button" className="secondary" data-testid="desk-exclude" onClick={() => void pageAct(current.bill as Bill, selectedPage, 'exclude-page')}>
                    {t('scanDeskPage.excludePage')}
                  </button>
                  <span className="page-cover-form">
                    <TextField label={t('scanDeskPage.coverCode')} value={coverCodeText} onChange={setCoverCodeText} mono testId="desk-cover-code" maxLength={64} onEnter={() => void pageAct(current.bill as Bill, selectedPage, 'mark-cover')} />
                    <button type="button" className="secondary" data-testid="desk-mark-cover" disabled={coverCodeText.trim() === ''} onClick={() => void pageAct(current.bill as Bill, selectedPage, 'mark-cover')}>
                      {t('scanDeskPage.markCover')}
                    </button>
                  </span>
                    </>
                  )}
                </div>
              )}
              {current.bill && (current.stack.leftOut[current.bill.id] ?? []).length > 0 && (
                <>
                  <p className="muted">{t('scanDeskPage.leftOutTitle')}</p>
                  <div className="thumbs" data-testid="desk-left-out">
                    {(current.stack.leftOut[current.bill.id] ?? []).map((number) => {
                      const page = current.stack.pages.find((candidate) => candidate.page === number);
                      return page ? (
                        <figure key={number} className="thumb thumb-blank">
                          <img src={page.thumbPng} alt={t('scanDeskPage.pageAlt', { page: number })} />
                          <figcaption>
                            {t('templateCheck.pageLabel', { page: number })}
                            {page.kind === 'blank' ? ` · ${t('scanDeskPage.blank')}` : ''}
                          </figcaption>
                          {current.bill?.state !== 'discarded' && (
                            <button type="button" className="secondary small" data-testid={`desk-restore-${number}`} onClick={() => void pageAct(current.bill as Bill, number, 'restore-page')}>
                              {t('scanDeskPage.restorePage')}
                            </button>
                          )}
                        </figure>
                      ) : null;
                    })}
                  </div>
                </>
              )}
              {current.bill && current.bill.state !== 'discarded' && (
                <div className="actions">
                  {current.bill.state === 'held' && current.bill.held !== 'suspect-cover' && (
                    <button type="button" className="primary" data-testid="desk-release" aria-keyshortcuts="R" onClick={() => void act(current.bill as Bill, 'release')}>
                      {t('scanDeskPage.release')} <kbd className="button-key">R</kbd>
                    </button>
                  )}
                  {current.stack.orphans.length > 0 && (
                    <button type="button" className="secondary" data-testid="desk-take-orphans" onClick={() => void act(current.bill as Bill, 'take-orphans')}>
                      {t('scanDeskPage.takeOrphans', { pages: current.stack.orphans.join(', ') })}
                    </button>
                  )}
                  <button type="button" className="secondary" data-testid="desk-not-cover" onClick={() => void notCover(current.bill as Bill)}>
                    {t('scanDeskPage.notCover')}
                  </button>
                  <button type="button" className="secondary" data-testid="desk-discard" aria-keyshortcuts="Delete" onClick={() => void act(current.bill as Bill, 'discard')}>
                    {t('scanDeskPage.discard')} <kbd className="button-key">Del</kbd>
                  </button>
                </div>
              )}
              {current.bill?.held === 'suspect-cover' && (
                <div className="settings-row">
                  <TextField className="grow" label={t('scanDeskPage.correctCode')} value={codeText} onChange={setCodeText} mono testId="desk-code" onEnter={() => void act(current.bill as Bill, 'set-code')} />
                  <button type="button" className="primary" onClick={() => void act(current.bill as Bill, 'set-code')} disabled={codeText.trim() === ''}>
                    {t('scanDeskPage.setCode')}
                  </button>
                </div>
              )}
            </div>
          )}
        </section>
      )}
    </>
  );
}

/** The colour of each upload state's pill. */
const uploadTone: Record<Upload['state'], 'pass' | 'warn' | 'fail' | 'skipped' | 'info'> = { queued: 'skipped', sending: 'info', waiting: 'warn', held: 'fail', done: 'pass' };

/** One bill's upload: progress (pages and bytes), why it waits or is held with what to do, and a done bill's receipts. */
function UploadDetail({ upload, now, onAct }: { upload: Upload; now: number; onAct: (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => void }) {
  const { t } = useTranslation();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  return (
    <div className="upload-detail" data-testid="desk-upload-detail">
      <ProgressBar value={upload.sent} max={upload.pages} label={t('scanDeskPage.upload.progress', { sent: upload.sent, pages: upload.pages })} />
      <p className="muted">
        {t(`scanDeskPage.upload.states.${upload.state}`)} · {t('scanDeskPage.upload.progress', { sent: upload.sent, pages: upload.pages })} · {kb(upload.bytesSent)}
        {upload.attempts > 0 && ` · ${t('scanDeskPage.upload.attempts', { count: upload.attempts })}`}
      </p>
      {upload.state === 'waiting' && <WaitingBanner upload={upload} seconds={secondsUntil(upload.nextAttemptAt, now)} />}
      {upload.state === 'held' && upload.held && (
        <p className="banner banner-fail" data-testid="desk-upload-held">
          {upload.held.code === 'held-by-person' ? t('scanDeskPage.upload.heldByPerson') : describeCode(t, upload.held.code, upload.held.params)}
        </p>
      )}
      <div className="actions">
        {upload.state === 'waiting' && (
          <button type="button" className="secondary" data-testid="desk-upload-retry" onClick={() => onAct(upload, 'retry-now')}>
            {t('scanDeskPage.upload.retryNow')}
          </button>
        )}
        {upload.state === 'held' && (
          <button type="button" className="primary" data-testid="desk-upload-resend" onClick={() => onAct(upload, 'resend')}>
            {t('scanDeskPage.upload.resend')}
          </button>
        )}
        {(upload.state === 'queued' || upload.state === 'waiting') && (
          <button type="button" className="secondary" data-testid="desk-upload-hold" onClick={() => onAct(upload, 'hold')}>
            {t('scanDeskPage.upload.hold')}
          </button>
        )}
      </div>
      {upload.state === 'done' && upload.receipts.length > 0 && (
        <table className="receipts" data-testid="desk-receipts">
          <caption>{t('scanDeskPage.upload.receiptsTitle', { at: upload.closedAt ? new Date(upload.closedAt).toLocaleString() : '' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('scanDeskPage.upload.receiptPage')}</th>
              <th scope="col">{t('scanDeskPage.upload.receiptId')}</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {upload.receipts.map((receipt) => (
              <tr key={receipt.page}>
                <td>{receipt.page}</td>
                <td className="mono">{receipt.receiptId}</td>
                <td className="mono nowrap" title={receipt.sha256}>
                  {receipt.sha256.slice(0, 8)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * Why a bill waits and when it is tried again: one countdown, the queue's. A cause that names its own
 * retry time (a busy server) is shown with the queue's, never with a second, different number.
 */
function WaitingBanner({ upload, seconds }: { upload: Upload; seconds: number }) {
  const { t } = useTranslation();
  const error = upload.lastError;
  const namesTime = error !== null && 'seconds' in error.params;
  const cause = error ? describeCode(t, error.code, namesTime ? { ...error.params, seconds } : error.params) : null;
  return (
    <p className="banner banner-warn" data-testid="desk-upload-waiting">
      {namesTime ? `${t('scanDeskPage.upload.lastFailed')}${cause}` : `${t('scanDeskPage.upload.waiting', { seconds })}${cause ? ` · ${cause}` : ''}`}
    </p>
  );
}
