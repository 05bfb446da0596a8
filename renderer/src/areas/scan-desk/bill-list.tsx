import { useTranslation } from 'react-i18next';
import { moveSelectionByKey } from '../../components/list-keys.js';
import { pagesOfRow, type Row } from './desk-rows.js';
import { uploadTone, type Upload } from './upload-detail.js';

/** The bills list: one row a bill (or a stack's orphan pages), its state or upload state, code and page count. */
export function BillList({ rows, uploads, selected, onSelect, summary }: { rows: readonly Row[]; uploads: ReadonlyMap<string, Upload>; selected: string | null; onSelect: (key: string) => void; summary: string }) {
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
        <span data-testid="desk-summary">{summary}</span>
      </div>
      <ul onKeyDown={onListKey}>
        {rows.map((row) => {
          const state = row.bill ? row.bill.state : 'held';
          const upload = row.bill ? uploads.get(row.bill.id) : undefined;
          return (
            <li key={row.key}>
              <button type="button" data-key={row.key} data-testid={`desk-row-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`} className={`result-row${row.key === selected ? ' selected' : ''}`} aria-pressed={row.key === selected} onClick={() => onSelect(row.key)} title={row.stack.name}>
                {upload ? (
                  <span className={`pill pill-${uploadTone[upload.state]}`} data-testid={`desk-upload-${upload.code}`} data-state={upload.state}>
                    {upload.state === 'sending' ? t('scanDeskPage.upload.sendingShort', { sent: upload.sent, pages: upload.pages }) : t(`scanDeskPage.upload.states.${upload.state}`)}
                  </span>
                ) : (
                  <span className={`pill pill-${state === 'ready' ? 'pass' : state === 'held' ? 'warn' : 'skipped'}`}>{t(`scanDeskPage.states.${state}`)}</span>
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
