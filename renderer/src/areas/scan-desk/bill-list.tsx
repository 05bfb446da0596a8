import { useTranslation } from 'react-i18next';
import { moveSelectionByKey } from '../../components/list-keys.js';
import { pagesOfRow, statusOfRow, type Row } from './desk-rows.js';
import { uploadTone, type Upload } from './upload-detail.js';

/** The bills list: one row a bill (or a stack's orphan pages), its state or upload state, code and page count. */
export function BillList({ rows, uploads, selected, onSelect, summary }: { rows: readonly Row[]; uploads: ReadonlyMap<string, Upload>; selected: string | null; onSelect: (key: string) => void; summary: React.ReactNode }) {
  const { t } = useTranslation();
  const onListKey = (event: React.KeyboardEvent<HTMLElement>) =>
    moveSelectionByKey(
      event,
      rows.map((row) => row.key),
      selected,
      onSelect,
    );
  return (
    <div className="panel result-list">
      <div className="list-head">
        {summary}
      </div>
      <ul onKeyDown={onListKey}>
        {rows.map((row) => {
          const upload = row.bill ? uploads.get(row.bill.id) : undefined;
          // The one model's word, as in the queue card and the status bar (a refused bill is held).
          const { status } = statusOfRow(row, uploads);
          const word = status === 'sending' && upload ? t('scanDeskPage.upload.sendingShort', { sent: upload.sent, pages: upload.pages }) : t(`billStatus.states.${status}`);
          const tone = status === 'held' || status === 'review' ? 'warn' : status === 'done' || status === 'ready' ? 'pass' : status === 'discarded' ? 'skipped' : 'info';
          return (
            <li key={row.key}>
              <button type="button" data-key={row.key} data-testid={`desk-row-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`} className={`result-row${row.key === selected ? ' selected' : ''}`} aria-pressed={row.key === selected} onClick={() => onSelect(row.key)} title={row.stack.name}>
                {upload ? (
                  <span className={`pill pill-${status === 'held' ? 'warn' : uploadTone[upload.state]}`} data-testid={`desk-upload-${upload.code}`} data-state={upload.state} data-status={status}>
                    {word}
                  </span>
                ) : (
                  <span className={`pill pill-${tone}`} data-testid={`desk-status-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`} data-status={status}>
                    {word}
                  </span>
                )}
                <span className="result-name">
                  <span className="result-file mono">{row.bill ? (row.bill.code ?? t('scanDeskPage.noCode')) : t('scanDeskPage.orphans')}</span>
                  <span className="muted nowrap">{t('units.pages', { count: pagesOfRow(row).length })}</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
