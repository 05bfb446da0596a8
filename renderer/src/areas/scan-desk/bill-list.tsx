import { useTranslation } from 'react-i18next';
import { moveSelectionByKey, tabStopKey } from '../../components/list-keys.js';
import { pagesOfRow, stateOfRow, statusOfRow, type Row } from './desk-rows.js';
import { uploadTone, type Upload } from './upload-detail.js';

/** The to-do list's header: the "only what needs me" filter and sorting again. */
export interface BillListTodo {
  onlyMine: boolean;
  onOnlyMine: (only: boolean) => void;
  /** Shown when the stable order no longer matches the states: sorts by the current states. */
  onSortAgain: (() => void) | null;
}

/**
 * The bills list, a to-do list: one row a bill (or a stack's orphan pages), its state or upload
 * state, code and page count. One Tab stop (roving tabindex): Up/Down/Home/End move selection and
 * focus. `stale` greys the upload pills (the service is gone: their figures are the last seen).
 */
export function BillList({ rows, uploads, selected, onSelect, summary, todo, stale }: { rows: readonly Row[]; uploads: ReadonlyMap<string, Upload>; selected: string | null; onSelect: (key: string) => void; summary: React.ReactNode; todo: BillListTodo; stale: string | null }) {
  const { t } = useTranslation();
  const seen = new Map<string, number>();
  for (const row of rows) if (row.bill?.code && row.bill.state !== 'discarded') seen.set(row.bill.code, (seen.get(row.bill.code) ?? 0) + 1);
  const repeated = new Set([...seen].filter(([, count]) => count > 1).map(([code]) => code));
  const keys = rows.map((row) => row.key);
  const tabStop = tabStopKey(keys, selected);
  const onListKey = (event: React.KeyboardEvent<HTMLElement>) => moveSelectionByKey(event, keys, selected ?? tabStop, onSelect);
  return (
    <div className="panel result-list">
      <div className="list-head">
        {summary}
        <div className="todo-head">
          <label className="todo-filter">
            <input type="checkbox" checked={todo.onlyMine} onChange={(event) => todo.onOnlyMine(event.currentTarget.checked)} data-testid="desk-only-mine" />
            {t('deskTodo.onlyMine')}
          </label>
          {todo.onSortAgain && (
            <button type="button" data-testid="desk-sort-again" title={t('deskTodo.sortAgainHint')} onClick={todo.onSortAgain}>
              {t('deskTodo.sortAgain')}
            </button>
          )}
        </div>
      </div>
      <ul onKeyDown={onListKey} data-testid="desk-rows">
        {rows.map((row) => {
          const state = stateOfRow(row, uploads);
          const upload = row.bill ? uploads.get(row.bill.id) : undefined;
          // The one model's word, as in the queue card and the status bar (a refused bill is held).
          const { status } = statusOfRow(row, uploads);
          const word = status === 'sending' && upload ? t('scanDeskPage.upload.sendingShort', { sent: upload.sent, pages: upload.pages }) : t(`billStatus.states.${status}`);
          const tone = status === 'held' || status === 'review' ? 'warn' : status === 'done' || status === 'ready' ? 'pass' : status === 'discarded' ? 'skipped' : 'info';
          return (
            <li key={row.key}>
              <button
                type="button"
                data-key={row.key}
                data-state={state}
                data-testid={`desk-row-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`}
                tabIndex={row.key === tabStop ? 0 : -1}
                className={`result-row desk-row${row.key === selected ? ' selected' : ''}`}
                aria-pressed={row.key === selected}
                onClick={() => onSelect(row.key)}
                title={row.stack.name}
              >
                <span className="result-name">
                  {row.bill ? (
                    <span className={`result-file mono${row.bill.code ? ' code-text' : ''}`}>{row.bill.code ?? t('scanDeskPage.noCode')}</span>
                  ) : (
                    // Two files' orphan rows would read the same: each names its file.
                    <span className="result-file">
                      {t('scanDeskPage.orphansOf')} · <bdi>{row.stack.name}</bdi>
                    </span>
                  )}
                  {/* The code has the row's whole width (it is never cut); the state and the page count below it. */}
                  <span className="desk-row-meta">
                    {upload ? (
                      <span className={`pill pill-${stale ? 'stale' : status === 'held' ? 'warn' : uploadTone[upload.state]}`} data-testid={`desk-upload-${upload.code}`} data-state={upload.state} data-status={status} data-stale={stale ? 'true' : undefined} title={stale ?? undefined}>
                        {word}
                      </span>
                    ) : (
                      <span className={`pill pill-${tone}`} data-testid={`desk-status-${row.bill?.code ?? (row.bill ? 'suspect' : 'orphans')}`} data-status={status}>
                        {word}
                      </span>
                    )}
                    <span className="muted nowrap">{t('units.pages', { count: pagesOfRow(row).length })}</span>
                    {/* Copies of one code read alike: each says which file it is in. */}
                    {row.bill?.code && repeated.has(row.bill.code) && (
                      <span className="muted row-file" data-testid="desk-row-file">
                        <bdi>{row.stack.name}</bdi>
                      </span>
                    )}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
