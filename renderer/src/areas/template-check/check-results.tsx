// The template check's results: the list of pages with their verdicts (summary, CSV export, clear) beside the selected page's detail.
import { useTranslation } from 'react-i18next';
import { moveSelectionByKey } from '../../components/list-keys.js';
import { downloadBytes } from '../../files.js';
import { composeCheckCsv } from './check-csv.js';
import { summarizeRows } from './check-rows.js';
import { PageDetail } from './page-detail.js';
import type { TemplateCheck } from './use-template-check.js';

/** The results list (arrow keys move the selection) and the selected row's detail. */
export function CheckResults({ check }: { check: TemplateCheck }) {
  const { t } = useTranslation();
  const { rows, selected, setSelected, progress, listRef, clear } = check;
  const current = rows.find((row) => row.key === selected) ?? null;
  const { counts, fileCount, pageCount } = summarizeRows(rows);

  const exportCsv = () => downloadBytes(composeCheckCsv(t, rows), 'template-check.csv', 'text/csv;charset=utf-8');

  const onListKey = (event: React.KeyboardEvent<HTMLElement>) =>
    moveSelectionByKey(
      event,
      rows.map((row) => row.key),
      selected,
      setSelected,
    );

  return (
    <section className="results-layout">
      <div className="panel result-list">
        <div className="list-head">
          <span data-testid="check-summary">
            {t('templateCheck.summary', { files: t('units.files', { count: fileCount }), pages: t('units.pages', { count: pageCount }), ...counts })}
          </span>
          <button type="button" onClick={exportCsv} data-testid="export-csv">
            {t('templateCheck.exportCsv')}
          </button>
          <button type="button" onClick={() => void clear()} data-testid="clear-results" disabled={progress !== null}>
            {t('templateCheck.clear')}
          </button>
        </div>
        <ul onKeyDown={onListKey} ref={listRef}>
          {rows.map((row) => (
            <li key={row.key}>
              <button type="button" data-key={row.key} className={`result-row${row.key === selected ? ' selected' : ''}`} aria-pressed={row.key === selected} onClick={() => setSelected(row.key)} title={row.file}>
                <span className={`pill pill-${row.page ? (row.page.verdict === 'ok' ? 'pass' : row.page.verdict) : 'fail'}`}>{row.page ? t(`check.verdict.${row.page.verdict}`) : t('templateCheck.unreadable')}</span>
                <span className="result-name">
                  <span className="result-file">{row.file}</span>
                  {row.page && <span className="muted nowrap">{t('templateCheck.pageLabel', { page: row.page.page })}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      {current && <PageDetail row={current} />}
    </section>
  );
}
