import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { QrBox, type PagePoints } from './qr-box.js';

/**
 * One stored page large, exactly as it will be uploaded, with the QR box the split found; a modal
 * <dialog> (Esc or the button closes it, focus goes back where it was). Given the bill's `pages`
 * (in its order) and `onPage`, Left/Right arrows page through them, "page 2 of 5" shown.
 */
export function PageViewer({ stackId, page, pages = [page], onPage, title, onClose }: { stackId: string; page: number; pages?: readonly number[]; onPage?: (page: number) => void; title: string; onClose: () => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const [shown, setShown] = useState<{ image: string; qr: PagePoints | null } | { problem: string } | null>(null);

  useEffect(() => {
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
    closeRef.current?.focus();
    return () => returnTo?.focus();
  }, []);
  useEffect(() => {
    let stopped = false;
    void api.scanDesk.page({ stackId, page }).then((result) => {
      if (!stopped) setShown(result.ok ? result.value : { problem: describeError(t, result.error) });
    });
    return () => {
      stopped = true;
    };
  }, [api, stackId, page, t]);

  const at = pages.indexOf(page);
  const step = (by: number) => {
    const next = pages[at + by];
    if (next !== undefined && onPage) onPage(next);
  };
  const onKey = (event: React.KeyboardEvent<HTMLDialogElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    event.preventDefault();
    step(event.key === 'ArrowLeft' ? -1 : 1);
  };

  return (
    <dialog ref={dialogRef} className="page-viewer" aria-label={title} onClose={onClose} onKeyDown={onKey} data-testid="page-viewer">
      <div className="page-viewer-head">
        <h2>{title}</h2>
        {onPage && pages.length > 1 && (
          <span className="page-viewer-nav">
            <button type="button" className="secondary" aria-keyshortcuts="ArrowLeft" disabled={at <= 0} onClick={() => step(-1)} data-testid="page-viewer-previous" aria-label={t('deskTodo.previousPage')} title={t('deskTodo.previousPage')}>
              ←
            </button>
            <span role="status" data-testid="page-viewer-position">
              {t('deskTodo.pageOf', { page: at + 1, pages: pages.length })}
            </span>
            <button type="button" className="secondary" aria-keyshortcuts="ArrowRight" disabled={at >= pages.length - 1} onClick={() => step(1)} data-testid="page-viewer-next" aria-label={t('deskTodo.nextPage')} title={t('deskTodo.nextPage')}>
              →
            </button>
          </span>
        )}
        <button ref={closeRef} type="button" onClick={() => dialogRef.current?.close()} data-testid="page-viewer-close">
          {t('common.close')} <kbd className="button-key">Esc</kbd>
        </button>
      </div>
      {shown === null && <p className="muted">…</p>}
      {shown && 'problem' in shown && (
        <p className="banner banner-fail" role="alert">
          {shown.problem}
        </p>
      )}
      {shown && 'image' in shown && (
        <div className="page-viewer-page">
          <img src={shown.image} alt={title} />
          <QrBox qr={shown.qr} testId="page-viewer-qr" />
        </div>
      )}
    </dialog>
  );
}
