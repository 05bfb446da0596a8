import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeCoverRejection, type CoverRejection } from '../../../../electron/shared/cover-messages.js';
import { safeFileStem } from '../../../../electron/shared/file-names.js';
import type { ArgsOf, ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { downloadBytes, fileToBase64, safeUploadName } from '../../files.js';
import { localizeReason } from '../../../../electron/shared/message-text.js';
import { TextField } from '../../components/field.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';

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

/** Which form field a refused cover points at, so the mark lands on that field. */
function fieldOfProblem(problem: CoverRejection): FieldKey | null {
  switch (problem.reason) {
    case 'missing-code':
    case 'invalid-code':
    case 'duplicate-code':
      return 'code';
    case 'invalid-amount':
      return 'amount';
    case 'invalid-date':
      return 'date';
    case 'field-too-long':
      return (fieldKeys as readonly string[]).includes(String(problem['field'])) ? (problem['field'] as FieldKey) : null;
    default:
      return null;
  }
}

type FieldKey = (typeof fieldKeys)[number];
type Outcome = { tone: 'pass' | 'warn' | 'fail'; message: string; rejected: Array<{ line: number; code: string; problem: CoverRejection }> };

/** Covers: one cover from a form with a live preview, or a batch from a bills CSV; self-checked PDFs. */
export function CoversArea({ runtime }: { runtime: ValueOf<'app:info'>['runtime'] | null }) {
  const { t } = useTranslation();
  const api = useApi();
  const [fields, setFields] = useState<Fields>({ code: '', billType: '费用报销单' });
  const [layout, setLayout] = useState<Layout>({ paper: 'a4', corner: 'top-right', sizeMm: 22, ecLevel: 'M' });
  const [sizeText, setSizeText] = useState('22');
  const [preview, setPreview] = useState<{ png?: string; cut?: string[]; problem?: CoverRejection; message?: string }>({});
  const [reveal, setReveal] = useState(false);
  const [imported, setImported] = useState<Imported | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; target: 'single' | 'batch' } | null>(null);
  const [outcome, setOutcome] = useState<(Outcome & { target: 'single' | 'batch' }) | null>(null);
  const jobRef = useRef<string | null>(null);
  const csvInput = useRef<HTMLInputElement>(null);
  const fieldRefs = useRef<Partial<Record<FieldKey, HTMLInputElement | null>>>({});
  const singleResultRef = useRef<HTMLDivElement>(null);
  const batchResultRef = useRef<HTMLDivElement>(null);

  const size = readNumberText(sizeText, { min: 15, max: 40 });

  useEffect(() => api.on('covers:progress', (event) => event.jobId === jobRef.current && setProgress((previous) => (previous ? { ...previous, done: event.done, total: event.total } : previous))), [api]);

  // Live preview, debounced so typing stays smooth; core's own check decides what is valid.
  useEffect(() => {
    if (!fields.code.trim()) return;
    const timer = setTimeout(() => {
      void api.covers.preview({ fields, layout }).then((result) => {
        if (!result.ok) setPreview({ message: describeError(t, result.error) });
        else if ('png' in result.value) setPreview({ png: result.value.png, cut: result.value.cut });
        else setPreview({ problem: result.value.problem as CoverRejection });
      });
    }, 300);
    return () => clearTimeout(timer);
  }, [api, fields, layout, t]);

  const problemField = preview.problem ? fieldOfProblem(preview.problem) : null;
  const fieldError = (key: FieldKey): string | null => {
    if (key === 'code' && !fields.code.trim()) return t('fields.required');
    return preview.problem && problemField === key ? localizeCoverRejection(t, preview.problem) : null;
  };

  const showResult = (next: Outcome, target: 'single' | 'batch') => {
    setOutcome({ ...next, target });
    focusWhenPainted(() => (target === 'single' ? singleResultRef : batchResultRef).current);
  };

  const generate = async (rows: Array<{ line: number; fields: Fields }>, fileName: string, target: 'single' | 'batch', perBill = false) => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setOutcome(null);
    setProgress({ done: 0, total: rows.length, target });
    const result = await api.covers.generate({ jobId, layout, rows, ...(perBill ? { perBill } : {}) });
    setProgress(null);
    if (!result.ok) return showResult({ tone: 'fail', message: describeError(t, result.error), rejected: [] }, target);
    const { pdfBase64, zipBase64, written, rejected, selfCheckMs } = result.value;
    if (pdfBase64) downloadBytes(base64ToBytes(pdfBase64), fileName, 'application/pdf');
    if (zipBase64) downloadBytes(base64ToBytes(zipBase64), fileName.replace(/\.pdf$/, '.zip'), 'application/zip');
    // Rows the table above already marks as refused are not listed a second time under the result.
    const refusedLines = new Set((imported?.rows ?? []).filter((row) => row.problem !== null).map((row) => row.line));
    const problems = rejected.filter((entry) => target === 'single' || !refusedLines.has(entry.line)).map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
    showResult({ tone: written === 0 ? 'fail' : problems.length ? 'warn' : 'pass', message: t('coversPage.done', { covers: t('units.covers', { count: written }), seconds: (selfCheckMs / 1000).toFixed(1) }), rejected: problems }, target);
  };

  /**
   * Desktop: the system print dialog (pages printed as images by main). Browser mode: the PDF in a
   * new tab, opened at the click so popup blockers allow it, printed with the browser's own button.
   */
  const print = async (rows: Array<{ line: number; fields: Fields }>, target: 'single' | 'batch') => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setOutcome(null);
    setProgress({ done: 0, total: rows.length, target });
    const tab = runtime === 'electron' ? null : window.open('', '_blank');
    const result = runtime === 'electron' ? await api.covers.print({ jobId, layout, rows }) : await api.covers.generate({ jobId, layout, rows });
    setProgress(null);
    if (!result.ok) {
      tab?.close();
      return showResult({ tone: 'fail', message: describeError(t, result.error), rejected: [] }, target);
    }
    const rejected = result.value.rejected.map((entry) => ({ ...entry, problem: entry.problem as CoverRejection }));
    if ('printed' in result.value) {
      const { printed, reason, written } = result.value;
      return showResult({ tone: printed ? 'pass' : 'warn', message: printed ? t('coversPage.printed', { covers: t('units.covers', { count: written }) }) : t('coversPage.printNotDone', { reason: localizeReason(t, reason ?? 'cancelled') }), rejected }, target);
    }
    if (result.value.pdfBase64 && tab) {
      tab.location.href = URL.createObjectURL(new Blob([base64ToBytes(result.value.pdfBase64) as BlobPart], { type: 'application/pdf' }));
      showResult({ tone: rejected.length ? 'warn' : 'pass', message: t('coversPage.printInBrowser'), rejected }, target);
    } else {
      tab?.close();
      showResult({ tone: 'fail', message: t('coversPage.done', { covers: t('units.covers', { count: result.value.written }), seconds: (result.value.selfCheckMs / 1000).toFixed(1) }), rejected }, target);
    }
  };

  /** Single cover: refuse with the field marked and focused, or go. */
  const submitSingle = (action: 'save' | 'print') => {
    if (progress !== null) return;
    const bad = !fields.code.trim() ? 'code' : problemField;
    if (bad || !size.ok || !preview.png) {
      setReveal(true);
      if (bad) fieldRefs.current[bad]?.focus();
      else if (!size.ok) document.querySelector<HTMLInputElement>('[data-testid="cover-size"]')?.focus();
      return;
    }
    if (action === 'save') void generate([{ line: 0, fields }], codeName(fields.code), 'single');
    else void print([{ line: 0, fields }], 'single');
  };

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
  const codeName = (code: string) => `${safeFileStem(code) || 'cover'}.pdf`;
  const busy = progress !== null;

  const resultBlock = (target: 'single' | 'batch') => (
    <div ref={target === 'single' ? singleResultRef : batchResultRef} tabIndex={-1} className="inline-result" aria-live="polite">
      {progress?.target === target && <ProgressBar value={progress.done} max={progress.total || 1} label={t('coversPage.generating', progress)} />}
      {outcome?.target === target && (
        <div data-testid={target === 'single' ? 'cover-outcome' : 'cover-batch-outcome'}>
          <p className={`banner banner-${outcome.tone}`} role={outcome.tone === 'fail' ? 'alert' : 'status'}>
            {outcome.message}
          </p>
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
    </div>
  );

  return (
    <>
      <section className="covers-layout">
        <form
          className="panel"
          noValidate
          onSubmit={(event) => {
            // Enter in any field makes the PDF, as the primary button says.
            event.preventDefault();
            submitSingle('save');
          }}
        >
          <h2>{t('coversPage.single')}</h2>
          <div className="form-grid">
            {fieldKeys.map((key) => (
              <TextField
                key={key}
                label={t(`coverPrint.${key}`)}
                required={key === 'code'}
                value={fields[key] ?? ''}
                testId={`cover-${key}`}
                mono={key === 'code'}
                inputMode={key === 'amount' ? 'decimal' : undefined}
                placeholder={key === 'date' ? '2026-11-23' : key === 'amount' ? '1,234.50' : undefined}
                error={fieldError(key)}
                revealError={reveal || (key !== 'code' && problemField === key)}
                warning={preview.cut?.includes(key) ? t('coversPage.cutWarning') : null}
                inputRef={(element) => {
                  fieldRefs.current[key] = element;
                }}
                onChange={(value) => {
                  setFields((previous) => ({ ...previous, [key]: value }));
                  // A result about the old text would now mislead.
                  setOutcome((previous) => (previous?.target === 'single' ? null : previous));
                }}
              />
            ))}
          </div>
          <h3>{t('coversPage.layout')}</h3>
          <div className="settings-row">
            <label className="field">
              {t('coversPage.corner')}
              <select value={layout.corner} onChange={(event) => setLayout({ ...layout, corner: event.currentTarget.value as Layout['corner'] })}>
                <option value="top-right">{t('coversPage.cornerTopRight')}</option>
                <option value="top-left">{t('coversPage.cornerTopLeft')}</option>
              </select>
            </label>
            <TextField
              label={t('coversPage.size')}
              value={sizeText}
              inputMode="numeric"
              testId="cover-size"
              error={size.ok ? null : t(size.key, size.params)}
              revealError={reveal}
              onChange={(text) => {
                setSizeText(text);
                const read = readNumberText(text, { min: 15, max: 40 });
                if (read.ok) setLayout((previous) => ({ ...previous, sizeMm: read.value }));
              }}
            />
            <label className="field">
              {t('coversPage.paper')}
              <select value={layout.paper} onChange={(event) => setLayout({ ...layout, paper: event.currentTarget.value as Layout['paper'] })}>
                <option value="a4">A4</option>
                <option value="a5">A5</option>
                <option value="letter">Letter</option>
              </select>
            </label>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy} data-testid="cover-save">
              {t('coversPage.save')}
            </button>
            <button type="button" className="secondary" disabled={busy || runtime === null} data-testid="cover-print" onClick={() => submitSingle('print')}>
              {t('coversPage.print')}
            </button>
          </div>
          {resultBlock('single')}
        </form>
        <div className="panel preview-panel">
          <h2>{t('coversPage.preview')}</h2>
          {!fields.code.trim() ? (
            <p className="muted" data-testid="cover-preview-message">
              {t('coversPage.needCode')}
            </p>
          ) : preview.problem ? (
            <p className="banner banner-fail" data-testid="cover-preview-message">
              {localizeCoverRejection(t, preview.problem)}
            </p>
          ) : preview.png ? (
            <img src={preview.png} alt={t('coversPage.previewAlt')} data-testid="cover-preview" />
          ) : (
            <p className="muted" data-testid="cover-preview-message">
              {preview.message ?? t('app.loading')}
            </p>
          )}
        </div>
      </section>
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
        {resultBlock('batch')}
      </section>
    </>
  );
}
