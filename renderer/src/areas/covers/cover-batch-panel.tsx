// Covers in a batch: a bills CSV imported and checked row by row, then one PDF, one per bill, or printed.
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection, type CoverRejection } from '../../../../electron/shared/cover-messages.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { fileToBase64, safeUploadName } from '../../files.js';
import type { Imported } from './cover-fields.js';
import { CoverResult } from './cover-result.js';
import type { CoverJobs } from './use-cover-jobs.js';

/** The batch panel: pick a CSV, see its rows (refused first), make or print the valid ones. */
export function CoverBatchPanel({ imported, setImported, jobs, runtime }: { imported: Imported | null; setImported: (imported: Imported | null) => void; jobs: CoverJobs; runtime: ValueOf<'app:info'>['runtime'] | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const { setOutcome, showResult, generate, print, busy } = jobs;
  const csvInput = useRef<HTMLInputElement>(null);

  const importCsv = async (file: File) => {
    // A new file replaces the old table at once: never an old table beside a new error.
    setImported(null);
    setOutcome(null);
    const result = await api.covers.importCsv({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) });
    if (!result.ok) return showResult({ tone: 'fail', message: describeError(t, result.error), rejected: [] }, 'batch');
    setImported({ ...result.value, name: file.name });
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="cover-import-summary"]'));
  };

  const validRows = imported?.rows.filter((row) => row.problem === null) ?? [];

  return (
    <section className="panel">
      <h2>{t('coversPage.batch')}</h2>
      <p className="muted">{t('coversPage.batchHint')}</p>
      <button type="button" onClick={() => csvInput.current?.click()} disabled={busy} data-testid="cover-csv-pick">
        {t('coversPage.importCsv')}
      </button>
      <input
        ref={csvInput}
        type="file"
        accept=".csv,.txt"
        hidden
        data-testid="cover-csv-input"
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          event.currentTarget.value = '';
          if (file) void importCsv(file);
        }}
      />
      {imported && (
        <>
          <p data-testid="cover-import-summary" tabIndex={-1}>
            {t('coversPage.imported', { name: imported.name, rows: t('units.rows', { count: imported.rows.length }), valid: t('units.covers', { count: validRows.length }), rejected: imported.rows.length - validRows.length, encoding: imported.encoding.toUpperCase() })}
          </p>
          {imported.ignoredColumns.length > 0 && <p className="muted">{t('coversPage.ignored', { columns: imported.ignoredColumns.join(t('common.listSeparator')) })}</p>}
          <div className="table-scroll">
            <table className="results">
              <thead>
                <tr>
                  <th scope="col">{t('coversPage.line')}</th>
                  <th scope="col">{t('coverPrint.code')}</th>
                  <th scope="col">{t('coverPrint.submitter')}</th>
                  <th scope="col">{t('coverPrint.amount')}</th>
                  <th scope="col">{t('coversPage.status')}</th>
                </tr>
              </thead>
              <tbody>
                {/* Refused rows first: they are what the clerk has to act on. */}
                {[...imported.rows]
                  .sort((a, b) => Number(b.problem !== null) - Number(a.problem !== null) || a.line - b.line)
                  .slice(0, 500)
                  .map((row) => (
                    <tr key={row.line} data-testid={`cover-row-${row.line}`}>
                      <td className="num">{row.line}</td>
                      <td className="mono code-text">{row.fields.code}</td>
                      <td>{row.fields.submitter}</td>
                      <td className="num">{row.fields.amount}</td>
                      <td>{row.problem ? <span className="pill pill-fail">{localizeCoverRejection(t, row.problem as CoverRejection)}</span> : <span className="pill pill-pass">{t('coversPage.valid')}</span>}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <div className="actions">
            <button type="button" className="primary" disabled={validRows.length === 0 || busy} data-testid="cover-generate-all" onClick={() => void generate(validRows.map((row) => ({ line: row.line, fields: row.fields })), imported.name.replace(/\.[^.]+$/, '') + '-covers.pdf', 'batch')}>
              {t('coversPage.generateAll', { covers: t('units.covers', { count: validRows.length }) })}
            </button>
            <button type="button" className="secondary" disabled={validRows.length === 0 || busy} data-testid="cover-generate-each" onClick={() => void generate(validRows.map((row) => ({ line: row.line, fields: row.fields })), imported.name.replace(/\.[^.]+$/, '') + '-covers.pdf', 'batch', true)}>
              {t('coversPage.generateEach')}
            </button>
            <button type="button" className="secondary" disabled={validRows.length === 0 || busy || runtime === null} onClick={() => void print(validRows.map((row) => ({ line: row.line, fields: row.fields })), 'batch')}>
              {t('coversPage.printAll')}
            </button>
          </div>
        </>
      )}
      <CoverResult target="batch" jobs={jobs} />
    </section>
  );
}
