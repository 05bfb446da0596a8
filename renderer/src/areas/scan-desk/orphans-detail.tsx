import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../components/field.js';
import type { GiveTarget } from './held-text.js';
import type { Stack } from './desk-rows.js';
import { PageThumbButton } from './page-thumb-button.js';

/** What the orphans detail asks of the desk; each returns whether it was done. */
export interface OrphansActions {
  onView: (page: number) => void;
  onDiscardOrphans: (stack: Stack) => Promise<boolean>;
  onGiveOrphans: (stack: Stack, target: GiveTarget) => Promise<boolean>;
  onMarkOrphanCover: (stack: Stack, page: number, code: string) => Promise<boolean>;
}

/**
 * A stack's pages before its first cover: why they wait, and every way out — added to any bill not yet
 * sent (of any file), a bill started at one of them, or discarded (after confirming).
 */
export function OrphansDetail({ stack, targets, onView, onDiscardOrphans, onGiveOrphans, onMarkOrphanCover }: { stack: Stack; targets: readonly GiveTarget[] } & OrphansActions) {
  const { t } = useTranslation();
  const [selectedPage, setSelectedPage] = useState<number | null>(null);
  const [coverCode, setCoverCode] = useState('');
  const [target, setTarget] = useState('');
  const chosen = targets.find((candidate) => candidate.id === target);
  const markCover = async () => {
    if (selectedPage !== null && coverCode.trim() !== '' && (await onMarkOrphanCover(stack, selectedPage, coverCode.trim()))) {
      setSelectedPage(null);
      setCoverCode('');
    }
  };
  return (
    <div className="panel detail" data-testid="desk-detail">
      <h2>{t('scanDeskPage.orphans')}</h2>
      <p className="muted">
        <bdi>{stack.name}</bdi> · {t('scanDeskPage.pagesOfStack', { pages: stack.orphans.join(', '), count: stack.orphans.length })}
      </p>
      <p className="banner banner-warn" data-testid="desk-held">
        {t('split.held.orphans')}
        <br />
        <span data-testid="desk-held-next">{t('split.next.orphans')}</span>
      </p>
      <div className="thumbs" data-testid="desk-thumbs">
        {stack.orphans.map((number) => {
          const page = stack.pages.find((candidate) => candidate.page === number);
          return page ? (
            <figure key={number} className="thumb">
              <PageThumbButton page={page} selected={selectedPage === number} onSelect={() => setSelectedPage(number)} onView={() => onView(number)} />
              <figcaption>{t('templateCheck.pageLabel', { page: number })}</figcaption>
            </figure>
          ) : null;
        })}
      </div>
      {selectedPage !== null && (
        <div className="actions page-actions" data-testid="desk-page-actions">
          <span className="muted">{t('scanDeskPage.pageSelected', { page: selectedPage })}</span>
          <button type="button" className="secondary" data-testid="desk-open-page" onClick={() => onView(selectedPage)}>
            {t('scanDeskPage.openPage')} <kbd className="button-key">Enter</kbd>
          </button>
          <span className="page-cover-form">
            <TextField label={t('scanDeskPage.coverCode')} value={coverCode} onChange={setCoverCode} mono testId="desk-cover-code" maxLength={64} onEnter={() => void markCover()} />
            <button type="button" className="secondary" data-testid="desk-mark-cover" disabled={coverCode.trim() === ''} onClick={() => void markCover()}>
              {t('scanDeskPage.markCover')}
            </button>
          </span>
        </div>
      )}
      <div className="actions">
        <label className="give-orphans">
          <span>{t('scanDeskPage.giveTo')}</span>
          <select value={target} onChange={(event) => setTarget(event.target.value)} data-testid="desk-give-target">
            <option value="">{t('scanDeskPage.giveChoose')}</option>
            {targets.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {t('scanDeskPage.giveOption', { code: candidate.code, file: candidate.file })}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="primary" data-testid="desk-give-orphans" disabled={!chosen} onClick={() => void (chosen && onGiveOrphans(stack, chosen))}>
          {t('scanDeskPage.giveTo')}
        </button>
        <button type="button" className="secondary" data-testid="desk-discard" aria-keyshortcuts="Delete" onClick={() => void onDiscardOrphans(stack)}>
          {t('scanDeskPage.discard')} <kbd className="button-key">Del</kbd>
        </button>
      </div>
    </div>
  );
}
