import { useTranslation } from 'react-i18next';
import { QrBox } from './qr-box.js';
import type { Stack } from './desk-rows.js';

/**
 * A page's thumbnail as a button, with the QR the split found boxed: a click (or Space) selects it,
 * Enter or a double-click opens it large.
 */
export function PageThumbButton({ page, selected, onSelect, onView, qrTestId }: { page: Stack['pages'][number]; selected: boolean; onSelect: () => void; onView: () => void; qrTestId?: string }) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className={`thumb-button${selected ? ' selected' : ''}`}
      aria-pressed={selected}
      aria-keyshortcuts="Enter"
      title={t('scanDeskPage.openHint')}
      data-testid={`desk-page-${page.page}`}
      onClick={onSelect}
      onDoubleClick={onView}
      onKeyDown={(event) => {
        // Enter opens the page large (Space still selects it).
        if (event.key !== 'Enter') return;
        event.preventDefault();
        onSelect();
        onView();
      }}
    >
      <span className="thumb-frame">
        <img src={page.thumbPng} alt={t('scanDeskPage.pageAlt', { page: page.page })} />
        <QrBox qr={page.qr} testId={qrTestId} />
      </span>
    </button>
  );
}
