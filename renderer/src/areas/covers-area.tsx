import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection, type CoverRejection } from '../../../electron/shared/cover-messages.js';
import { safeFileStem } from '../../../electron/shared/file-names.js';
import type { ArgsOf, ValueOf } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';
import { describeError } from '../api/error-text.js';
import { ProgressBar } from '../components/progress-bar.js';
import { downloadBytes, fileToBase64 } from '../files.js';

type Fields = ArgsOf<'covers:preview'>['fields'];
type Layout = ArgsOf<'covers:preview'>['layout'];
type Imported = ValueOf<'covers:importCsv'> & { name: string };

const fieldKeys = ['code', 'billType', 'billNo', 'company', 'submitter', 'department', 'date', 'amount'] as const;

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Covers: one cover from a form with a live preview, or a batch from a bills CSV; self-checked PDFs. */
export function CoversArea({ runtime }: { runtime: ValueOf<'app:info'>['runtime'] | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [fields, setFields] = useState<Fields>({ code: '', billType: '费用报销单' });
  const [layout, setLayout] = useState<Layout>({ paper: 'a4', corner: 'top-right', sizeMm: 22, ecLevel: 'M' });
  const [preview, setPreview] = useState<{ png?: string; message?: string }>({});
  const [imported, setImported] = useState<Imported | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [outcome, setOutcome] = useState<{ message: string; rejected: Array<{ line: number; code: string; problem: CoverRejection }> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const jobRef = useRef<string | null>(null);
  const csvInput = useRef<HTMLInputElement>(null);

  useEffect(() => api.on('covers:progress', (event) => event.jobId === jobRef.current && setProgress({ done: event.done, total: event.total })), [api]);

  // Live preview, debounced so typing stays smooth.
  useEffect(() => {
    if (!fields.code.trim()) return;
    const timer = setTimeout(() => {
      void api.covers.preview({ fields, layout }).then((result) => {
        if (!result.ok) setPreview({ message: describeError(t, result.error) });
        else if ('png' in result.value) setPreview({ png: result.value.png });
        else setPreview({ message: localizeCoverRejection(t, result.value.problem as CoverRejection) });
      });
    }, 300);
    return () => clearTimeout(timer);
  }, [api, fields, layout, t]);

  const generate = async (rows: Array<{ line: number; fields: Fields }>, fileName: string) => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setError(null);
    setOutcome(null);
    setProgress({ done: 0, total: rows.length });
    const result = await api.covers.generate({ jobId, layout, rows });
    setProgress(null);
    if (!result.ok) {
      setError(describeError(t, result.error));
      return;
    }
    const { pdfBase64, written, rejected, selfCheckMs } = result.value;
    if (pdfBase64) downloadBytes(base64ToBytes(pdfBase64), fileName, 'application/pdf');
    setOutcome({ message: t('coversPage.done', { written, seconds: (selfCheckMs / 1000).toFixed(1) }), rejected: rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection })) });
  };

  /**
   * Desktop: the system print dialog (pages printed as images by main). Browser mode: the PDF in a
   * new tab, opened at the click so popup blockers allow it, printed with the browser's own button.
   */
  const print = async (rows: Array<{ line: number; fields: Fields }>) => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setError(null);
    setOutcome(null);
    setProgress({ done: 0, total: rows.length });
    const tab = runtime === 'electron' ? null : window.open('', '_blank');
    const result = runtime === 'electron' ? await api.covers.print({ jobId, layout, rows }) : await api.covers.generate({ jobId, layout, rows });
    setProgress(null);
    if (!result.ok) {
      tab?.close();
      setError(describeError(t, result.error));
      return;
    }
    const rejected = result.value.rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
    if ('printed' in result.value) {
      const { printed, reason, written } = result.value;
      setOutcome({ message: printed ? t('coversPage.printed', { written }) : t('coversPage.printNotDone', { reason: reason ?? '' }), rejected });
      return;
    }
    if (result.value.pdfBase64 && tab) {
      tab.location.href = URL.createObjectURL(new Blob([base64ToBytes(result.value.pdfBase64) as BlobPart], { type: 'application/pdf' }));
      setOutcome({ message: t('coversPage.printInBrowser'), rejected });
    } else {
      tab?.close();
      setOutcome({ message: t('coversPage.done', { written: result.value.written, seconds: (result.value.selfCheckMs / 1000).toFixed(1) }), rejected });
    }
  };

  const importCsv = async (file: File) => {
    setError(null);
    setOutcome(null);
    const result = await api.covers.importCsv({ name: file.name, dataBase64: await fileToBase64(file) });
    if (!result.ok) {
      setError(describeError(t, result.error));
      return;
    }
    setImported({ ...result.value, name: file.name });
  };

  const validRows = imported?.rows.filter((row) => row.problem === null) ?? [];
  const codeName = (code: string) => `${safeFileStem(code) || 'cover'}.pdf`;

  return (
    <>
      <section className="covers-layout">
        <div className="panel">
          <h2>{t('coversPage.single')}</h2>
          <div className="form-grid">
            {fieldKeys.map((key) => (
              <label key={key} className={key === 'code' ? 'required' : undefined}>
                {t(`coverPrint.${key}`)}
                <input
                  type="text"
                  value={fields[key] ?? ''}
                  spellCheck={false}
                  data-testid={`cover-${key}`}
                  onChange={(event) => {
                    const value = event.currentTarget.value;
                    setFields((previous) => ({ ...previous, [key]: value }));
                  }}
                />
              </label>
            ))}
          </div>
          <h3>{t('coversPage.layout')}</h3>
          <div className="settings-row">
            <label>
              {t('coversPage.corner')}
              <select value={layout.corner} onChange={(event) => setLayout({ ...layout, corner: event.currentTarget.value as Layout['corner'] })}>
                <option value="top-right">{t('coversPage.cornerTopRight')}</option>
                <option value="top-left">{t('coversPage.cornerTopLeft')}</option>
              </select>
            </label>
            <label>
              {t('coversPage.size')}
              <input type="number" min={15} max={40} value={layout.sizeMm} onChange={(event) => setLayout({ ...layout, sizeMm: Math.max(15, Math.min(40, Number(event.currentTarget.value) || 22)) })} />
            </label>
            <label>
              {t('coversPage.paper')}
              <select value={layout.paper} onChange={(event) => setLayout({ ...layout, paper: event.currentTarget.value as Layout['paper'] })}>
                <option value="a4">A4</option>
                <option value="a5">A5</option>
                <option value="letter">Letter</option>
              </select>
            </label>
          </div>
          <div className="actions">
            <button type="button" className="primary" disabled={!fields.code.trim() || !preview.png || progress !== null} data-testid="cover-save" onClick={() => void generate([{ line: 0, fields }], codeName(fields.code))}>
              {t('coversPage.save')}
            </button>
            <button type="button" disabled={!fields.code.trim() || !preview.png || progress !== null || runtime === null} data-testid="cover-print" onClick={() => void print([{ line: 0, fields }])}>
              {t('coversPage.print')}
            </button>
          </div>
        </div>
        <div className="panel preview-panel">
          <h2>{t('coversPage.preview')}</h2>
          {!fields.code.trim() ? (
            <p className="muted" data-testid="cover-preview-message">
              {t('coversPage.needCode')}
            </p>
          ) : preview.png ? (
            <img src={preview.png} alt={t('coversPage.previewAlt')} data-testid="cover-preview" />
          ) : (
            <p className="muted" data-testid="cover-preview-message">
              {preview.message}
            </p>
          )}
        </div>
      </section>
      <section className="panel">
        <h2>{t('coversPage.batch')}</h2>
        <p className="muted">{t('coversPage.batchHint')}</p>
        <button type="button" onClick={() => csvInput.current?.click()} disabled={progress !== null}>
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
            <p data-testid="cover-import-summary">
              {t('coversPage.imported', { name: imported.name, rows: imported.rows.length, valid: validRows.length, rejected: imported.rows.length - validRows.length, encoding: imported.encoding.toUpperCase() })}
            </p>
            {imported.ignoredColumns.length > 0 && <p className="muted">{t('coversPage.ignored', { columns: imported.ignoredColumns.join(', ') })}</p>}
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
                    <tr key={row.line}>
                      <td className="num">{row.line}</td>
                      <td className="mono">{row.fields.code}</td>
                      <td>{row.fields.submitter}</td>
                      <td className="num">{row.fields.amount}</td>
                      <td>{row.problem ? <span className="pill pill-fail">{localizeCoverRejection(t, row.problem as CoverRejection)}</span> : <span className="pill pill-pass">{t('coversPage.valid')}</span>}</td>
                    </tr>
                    ))}
                </tbody>
              </table>
            </div>
            <div className="actions">
              <button type="button" className="primary" disabled={validRows.length === 0 || progress !== null} data-testid="cover-generate-all" onClick={() => void generate(validRows.map((row) => ({ line: row.line, fields: row.fields })), imported.name.replace(/\.[^.]+$/, '') + '-covers.pdf')}>
                {t('coversPage.generateAll', { count: validRows.length })}
              </button>
              <button type="button" disabled={validRows.length === 0 || progress !== null || runtime === null} onClick={() => void print(validRows.map((row) => ({ line: row.line, fields: row.fields })))}>
                {t('coversPage.printAll')}
              </button>
            </div>
          </>
        )}
        {progress && <ProgressBar value={progress.done} max={progress.total || 1} label={t('coversPage.generating', progress)} />}
        {error && (
          <p className="banner banner-fail" role="alert">
            {error}
          </p>
        )}
        {outcome && (
          <div data-testid="cover-outcome">
            <p className={`banner banner-${outcome.rejected.length ? 'warn' : 'pass'}`}>{outcome.message}</p>
            {outcome.rejected.length > 0 && (
              <>
                <h3>{t('coversPage.rejectedTitle')}</h3>
                <ul>
                  {outcome.rejected.map((entry) => (
                    <li key={`${entry.line}-${entry.code}`}>
                      {entry.line > 0 ? `${t('coversPage.line')} ${entry.line} · ` : ''}
                      {entry.code}: {localizeCoverRejection(t, entry.problem)}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </section>
    </>
  );
}
