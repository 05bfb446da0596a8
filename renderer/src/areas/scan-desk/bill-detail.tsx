import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field.js';
import { isReleasable, pagesOfRow, type Bill, type Row } from './desk-rows.js';
import { heldText, isUploadFixed } from './held-text.js';
import { UploadDetail, type Upload } from './upload-detail.js';
import { UprightNote } from './upright-note.js';
import { PageThumbButton } from './page-thumb-button.js';

/** What a person can ask of a whole bill from its detail. */
export type BillActionName = 'release' | 'discard' | 'set-code' | 'take-orphans' | 'keep-copy' | 'merge-copies';
/** What a person can ask of one page of a bill. */
export type PageActionName = 'move-page' | 'exclude-page' | 'restore-page' | 'mark-cover';

/** What the detail asks of the desk; each returns whether it was done (the detail then clears its fields). */
export interface BillDetailActions {
  onView: (page: number) => void;
  onAct: (bill: Bill, action: BillActionName, code?: string) => Promise<boolean>;
  onPageAct: (bill: Bill, page: number, action: PageActionName, options: { to?: 'previous' | 'next'; code?: string }) => Promise<boolean>;
  onNotCover: (bill: Bill) => Promise<void>;
  onUploadAct: (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => void;
}

/**
 * One row in detail: its pages as thumbnails with the QR boxed, why it is held, its upload, and what
 * can be done to it and its pages. Given a key per row, its fields start empty for each bill.
 */
export function BillDetail({ row, upload, now, onView, onAct, onPageAct, onNotCover, onUploadAct }: { row: Row; upload: Upload | undefined; now: number } & BillDetailActions) {
  const { t } = useTranslation();
  const [selectedPage, setSelectedPage] = useState<number | null>(null);
  const [coverCodeText, setCoverCodeText] = useState('');
  const [codeText, setCodeText] = useState('');
  const pageAct = async (bill: Bill, page: number, action: PageActionName, to?: 'previous' | 'next') => {
    if (await onPageAct(bill, page, action, { ...(to ? { to } : {}), ...(action === 'mark-cover' ? { code: coverCodeText.trim() } : {}) })) {
      setSelectedPage(null);
      setCoverCodeText('');
    }
  };
  const act = async (bill: Bill, action: BillActionName) => {
    if (await onAct(bill, action, action === 'set-code' ? codeText.trim() : undefined)) setCodeText('');
  };
  // A bill whose upload started (sending, retrying, sent) is fixed: only what applies is offered.
  const fixed = isUploadFixed(upload);
  const closed = row.bill?.held === 'code-closed';
  const pageOf = new Map(row.stack.pages.map((page) => [page.page, page]));
  const ownPages = pagesOfRow(row).filter((number) => !pageOf.get(number)?.from);
  const givenFrom = new Map<string, number[]>();
  for (const number of pagesOfRow(row)) {
    const from = pageOf.get(number)?.from;
    if (from) givenFrom.set(from.source, [...(givenFrom.get(from.source) ?? []), from.page]);
  }
  // The stack's first live bill has no bill before it: "not a cover" then leaves its pages before the first cover.
  const firstLive = row.bill !== null && row.stack.bills.find((candidate) => candidate.state !== 'discarded')?.id === row.bill.id;
  const held = row.bill ? heldText(t, row.bill, row.stack.leftOut[row.bill.id] ?? []) : null;
  return (
    <div className="panel detail" data-testid="desk-detail">
                  <h2>{row.bill ? (row.bill.code ?? t('scanDeskPage.noCode')) : t('scanDeskPage.orphans')}</h2>
                  <p className="muted">
                    <bdi>{row.stack.name}</bdi>
                    {ownPages.length > 0 && <> · {t('scanDeskPage.pagesOfStack', { pages: ownPages.join(', '), count: ownPages.length })}</>}
                    {/* Pages given from another file are named by that file and its page numbers, where the paper is. */}
                    {[...givenFrom].map(([source, pages]) => (
                      <span key={source}>
                        {' · '}
                        {t('scanDeskPage.pagesFrom', { file: source, pages: pages.join(', ') })}
                      </span>
                    ))}
                  </p>
                  {/* Who scanned it where, as recorded when its pages were taken in (the ERP's 扫描人 and 扫描点). */}
                  {row.stack.scan && (row.stack.scan.user !== null || row.stack.scan.point !== null) && (
                    <p className="muted scanned-line" data-testid="desk-scanned">
                      {t('scanDeskPage.scanned.line', { user: row.stack.scan.user ?? '—', point: row.stack.scan.point ?? '—' })}
                    </p>
                  )}
                  {/* A discarded bill (or a copy merged into another) says so, not why it was once held. */}
                  {row.bill?.state === 'discarded' && (
                    <p className="banner banner-info" data-testid="desk-discarded">
                      {t(row.bill.mergedInto ? 'scanDeskPage.mergedNote' : 'scanDeskPage.discardedNote')}
                    </p>
                  )}
                  {row.bill && row.bill.state !== 'discarded' && held && !fixed && (
                    <p className="banner banner-warn" data-testid="desk-held">
                      {held.cause}
                      {/* The QR's text may be one long word (a code over 50 characters): it breaks anywhere, never past the panel. */}
                      {row.bill.suspect && (
                        <>
                          {' · '}
                          <bdi className="mono suspect-payload" data-testid="desk-suspect-payload">
                            {row.bill.suspect.payload}
                          </bdi>
                        </>
                      )}
                      {row.bill.damaged?.length ? ` · ${t('scanDeskPage.damagedPages', { pages: row.bill.damaged.join(', ') })}` : ''}
                      <span className="held-next" data-testid="desk-held-next">{held.next}</span>
                    </p>
                  )}
                  <UprightNote upright={row.bill?.upright} />
                  {row.bill?.state === 'review' && !upload && (
                    <p className="banner banner-info" data-testid="desk-review">
                      {t('billStatus.reviewHint')}
                    </p>
                  )}
                  {row.bill?.held === 'duplicate-code' && row.bill.state === 'held' && (
                    // The cause and the choices are said in the held banner above; here are its two buttons.
                    <div className="actions" data-testid="desk-copies">
                      <button type="button" className="primary" data-testid="desk-merge-copies" onClick={() => void act(row.bill as Bill, 'merge-copies')}>
                        {t('billStatus.copies.merge')}
                      </button>
                      <button type="button" className="secondary" data-testid="desk-keep-copy" onClick={() => void act(row.bill as Bill, 'keep-copy')}>
                        {t('billStatus.copies.keep')}
                      </button>
                    </div>
                  )}
                  {row.bill && upload && <UploadDetail upload={upload} now={now} onAct={onUploadAct} />}
                  <div className="thumbs" data-testid="desk-thumbs">
                    {pagesOfRow(row).map((number) => {
                      const page = row.stack.pages.find((candidate) => candidate.page === number);
                      return page ? (
                        <figure key={number} className={`thumb${page.kind === 'blank' ? ' thumb-blank' : ''}`}>
                          <PageThumbButton page={page} selected={selectedPage === number} onSelect={() => setSelectedPage(number)} onView={() => onView(number)} qrTestId={page.qr ? `desk-qr-${number}` : undefined} />
                          <figcaption>{number === row.bill?.cover ? t('scanDeskPage.coverPage', { page: number }) : page.from ? t('scanDeskPage.pagesFrom', { file: page.from.source, pages: page.from.page }) : t('templateCheck.pageLabel', { page: number })}</figcaption>
                        </figure>
                      ) : null;
                    })}
                  </div>
                  {row.bill && selectedPage !== null && row.bill.pages.includes(selectedPage) && (
                    <div className="actions page-actions" data-testid="desk-page-actions">
                      <span className="muted">{t('scanDeskPage.pageSelected', { page: selectedPage })}</span>
                      <button type="button" className="secondary" data-testid="desk-open-page" onClick={() => onView(selectedPage)}>
                        {t('scanDeskPage.openPage')} <kbd className="button-key">Enter</kbd>
                      </button>
                      {selectedPage !== row.bill.cover && row.bill.state !== 'discarded' && !fixed && (
                        <>
                      <button type="button" className="secondary" data-testid="desk-move-previous" disabled={row.stack.bills.indexOf(row.bill) === 0} onClick={() => void pageAct(row.bill as Bill, selectedPage, 'move-page', 'previous')}>
                        {t('scanDeskPage.movePrevious')}
                      </button>
                      <button type="button" className="secondary" data-testid="desk-move-next" disabled={row.stack.bills.indexOf(row.bill) === row.stack.bills.length - 1} onClick={() => void pageAct(row.bill as Bill, selectedPage, 'move-page', 'next')}>
                        {t('scanDeskPage.moveNext')}
                      </button>
                      <button type="button" className="secondary" data-testid="desk-exclude" onClick={() => void pageAct(row.bill as Bill, selectedPage, 'exclude-page')}>
                        {t('scanDeskPage.excludePage')}
                      </button>
                      <span className="page-cover-form">
                        <TextField label={t('scanDeskPage.coverCode')} value={coverCodeText} onChange={setCoverCodeText} mono testId="desk-cover-code" maxLength={64} onEnter={() => void pageAct(row.bill as Bill, selectedPage, 'mark-cover')} />
                        <button type="button" className="secondary" data-testid="desk-mark-cover" disabled={coverCodeText.trim() === ''} onClick={() => void pageAct(row.bill as Bill, selectedPage, 'mark-cover')}>
                          {t('scanDeskPage.markCover')}
                        </button>
                      </span>
                        </>
                      )}
                    </div>
                  )}
                  {row.bill && (row.stack.leftOut[row.bill.id] ?? []).length > 0 && (
                    <>
                      <p className="muted">{t('scanDeskPage.leftOutTitle')}</p>
                      <div className="thumbs" data-testid="desk-left-out">
                        {(row.stack.leftOut[row.bill.id] ?? []).map((number) => {
                          const page = row.stack.pages.find((candidate) => candidate.page === number);
                          return page ? (
                            <figure key={number} className="thumb thumb-blank">
                              <img src={page.thumbPng} alt={t('scanDeskPage.pageAlt', { page: number })} />
                              <figcaption>
                                {t('templateCheck.pageLabel', { page: number })}
                                {page.kind === 'blank' ? ` · ${t('scanDeskPage.blank')}` : ''}
                              </figcaption>
                              {row.bill?.state !== 'discarded' && !fixed && (
                                <button type="button" className="secondary small" data-testid={`desk-restore-${number}`} onClick={() => void pageAct(row.bill as Bill, number, 'restore-page')}>
                                  {t('scanDeskPage.restorePage')}
                                </button>
                              )}
                            </figure>
                          ) : null;
                        })}
                      </div>
                    </>
                  )}
                  {row.bill && row.bill.state !== 'discarded' && !fixed && (
                    <div className="actions" data-testid="desk-bill-actions">
                      {isReleasable(row.bill, upload) && (
                        // A code the server closed: discarding is the way out, a release only for a returned bill.
                        <button type="button" className={closed ? 'secondary' : 'primary'} data-testid="desk-release" aria-keyshortcuts="R" onClick={() => void act(row.bill as Bill, 'release')}>
                          {t('scanDeskPage.release')} <kbd className="button-key">R</kbd>
                        </button>
                      )}
                      {row.stack.orphans.length > 0 && row.bill.code !== null && (
                        <button type="button" className="secondary" data-testid="desk-take-orphans" onClick={() => void act(row.bill as Bill, 'take-orphans')}>
                          {t('scanDeskPage.takeOrphans', { pages: row.stack.orphans.join(', '), count: row.stack.orphans.length })}
                        </button>
                      )}
                      <button type="button" className="secondary" data-testid="desk-not-cover" onClick={() => void onNotCover(row.bill as Bill)}>
                        {t(firstLive ? 'scanDeskPage.notCoverFirst' : 'scanDeskPage.notCover')}
                      </button>
                      <button type="button" className={closed ? 'primary' : 'secondary'} data-testid="desk-discard" aria-keyshortcuts="Delete" onClick={() => void act(row.bill as Bill, 'discard')}>
                        {t('scanDeskPage.discard')} <kbd className="button-key">Del</kbd>
                      </button>
                    </div>
                  )}
                  {row.bill?.held === 'suspect-cover' && !fixed && (
                    <div className="settings-row">
                      <TextField className="grow" label={t('scanDeskPage.correctCode')} value={codeText} onChange={setCodeText} mono testId="desk-code" onEnter={() => void act(row.bill as Bill, 'set-code')} />
                      <button type="button" className="primary" onClick={() => void act(row.bill as Bill, 'set-code')} disabled={codeText.trim() === ''}>
                        {t('scanDeskPage.setCode')}
                      </button>
                    </div>
                  )}
                </div>
  );
}
