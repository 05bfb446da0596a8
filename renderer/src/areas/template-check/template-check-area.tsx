import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeProblem } from '../../../../electron/shared/check-messages.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { maxTemplateBytes } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { downloadBytes, fileToBase64, safeUploadName } from '../../files.js';
import { compileCodePattern } from '../../../../electron/shared/code-pattern.js';
import { useConfirm } from '../../components/confirm-dialog.js';
import { DropZone } from '../../components/drop-zone.js';
import { moveSelectionByKey } from '../../components/list-keys.js';
import { TextField } from '../../components/field.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';
import { buildCsv } from '../../../../electron/shared/csv.js';

type FileReport = ValueOf<'templateCheck:inspect'>;
type PageReport = FileReport['pages'][number];

interface Row {
  key: string;
  file: string;
  page: PageReport | null;
  /** The dpi this page was judged at (the field may have changed since). */
  dpi: number;
  error: AppErrorInfo | { code: string; message: string; params?: Record<string, string | number> } | null;
}

/** Errors that are about the station, not the file: they stop the batch and show at the top. */
const stationErrors = new Set(['bridge-unreachable', 'bridge-unauthorized', 'untrusted-sender', 'internal-error', 'invalid-arguments', 'invalid-pattern']);

/** Template check: drop templates or scans, see each page's verdict, annotated picture and fixes. */
export function TemplateCheckArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [rows, setRows] = useState<Row[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dpiText, setDpiText] = useState('200');
  const [pattern, setPattern] = useState('');
  const [reveal, setReveal] = useState(false);
  const [progress, setProgress] = useState<{ name: string; page: number; pageCount: number; file: number; files: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const jobRef = useRef<string | null>(null);
  const cancelRef = useRef(false);
  const pickRef = useRef<HTMLButtonElement>(null);
  const dpiRef = useRef<HTMLInputElement>(null);
  const patternRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const { ask, dialog } = useConfirm();

  const dpi = readNumberText(dpiText, { min: 50, max: 1200 });
  const dpiError = dpi.ok ? null : t(dpi.key, dpi.params);
  const compiled = pattern.trim() === '' ? null : compileCodePattern(pattern.trim());
  const patternError = compiled && !(compiled instanceof RegExp) ? describeError(t, { code: 'invalid-pattern', message: '', params: { reason: compiled.reason } }) : null;

  useEffect(
    () =>
      api.on('templateCheck:progress', (event) => {
        if (event.jobId === jobRef.current) setProgress((previous) => (previous ? { ...previous, name: event.name, page: event.page, pageCount: event.pageCount } : previous));
      }),
    [api],
  );

  const check = async (files: File[]) => {
    if (files.length === 0) return;
    setError(null);
    if (!dpi.ok || patternError) {
      // The clerk sees which field is wrong, right where it is, and lands in it.
      setReveal(true);
      (dpi.ok ? patternRef : dpiRef).current?.focus();
      return;
    }
    cancelRef.current = false;
    let firstNew: string | null = null;
    let checked = 0;
    for (const [index, file] of files.entries()) {
      if (cancelRef.current) break;
      const jobId = crypto.randomUUID();
      jobRef.current = jobId;
      setProgress({ name: file.name, page: 0, pageCount: 0, file: index + 1, files: files.length });
      let added: Row[];
      if (file.size > maxTemplateBytes) {
        added = [{ key: `${jobId}`, file: file.name, page: null, dpi: dpi.value, error: { code: 'file-too-large', message: '', params: { name: file.name, size: `${Math.round(file.size / 1e6)} MB`, limit: `${maxTemplateBytes / 1e6} MB` } } }];
      } else {
        const result = await api.templateCheck.inspect({ jobId, name: safeUploadName(file.name), dataBase64: await fileToBase64(file), dpi: dpi.value, pattern: pattern.trim() || undefined });
        if (!result.ok) {
          if (stationErrors.has(result.error.code)) {
            setError(describeError(t, result.error));
            break;
          }
          added = [{ key: jobId, file: file.name, page: null, dpi: dpi.value, error: result.error }];
        } else {
          const report = result.value;
          if (report.error?.code === 'inspection-cancelled') break;
          added = [
            ...(report.error ? [{ key: `${jobId}-error`, file: file.name, page: null, dpi: dpi.value, error: report.error }] : []),
            ...report.pages.map((page) => ({ key: `${jobId}-${page.page}`, file: file.name, page, dpi: dpi.value, error: null })),
          ];
        }
      }
      checked += 1;
      firstNew ??= added[0]?.key ?? null;
      setRows((previous) => [...previous, ...added]);
    }
    jobRef.current = null;
    setProgress(null);
    setAnnouncement(cancelRef.current ? t('templateCheck.cancelled', { count: checked }) : t('templateCheck.finished', { count: checked }));
    if (firstNew) {
      // The newest result is selected and brought into view, with focus on its row.
      setSelected(firstNew);
      const key = firstNew;
      focusWhenPainted(() => listRef.current?.querySelector<HTMLButtonElement>(`[data-key="${key}"]`));
    } else focusWhenPainted(() => pickRef.current);
  };

  const cancel = () => {
    cancelRef.current = true;
    if (jobRef.current) void api.templateCheck.cancel({ jobId: jobRef.current });
  };

  const current = rows.find((row) => row.key === selected) ?? null;
  const counts = { ok: 0, warn: 0, fail: 0, errors: 0 };
  for (const row of rows) {
    if (row.page) counts[row.page.verdict] += 1;
    else counts.errors += 1;
  }
  const fileCount = new Set(rows.map((row) => row.file)).size;
  const pageCount = rows.filter((row) => row.page).length;

  const exportCsv = () => {
    const header = ['file', 'page', 'verdict', 'code', 'corner', 'moduleMm', 'modulePx', 'quietZone', 'problems'].map((column) => t(`templateCheck.csv.${column}`));
    const lines: Array<Array<string | number>> = [header];
    for (const row of rows) {
      const problems = row.page ? row.page.problems.map((problem) => localizeProblem(t, problem).message).join(' | ') : row.error ? describeError(t, row.error as AppErrorInfo) : '';
      const code = row.page?.codes[0];
      lines.push([row.file, row.page?.page ?? '', row.page ? t(`check.verdict.${row.page.verdict}`) : t('templateCheck.unreadable'), code?.value ?? '', code ? t(`check.corners.${code.corner}`) : '', code?.moduleMm ?? '', code?.modulePx ?? '', code?.quietZoneModules ?? '', problems]);
    }
    downloadBytes(buildCsv(lines), 'template-check.csv', 'text/csv;charset=utf-8');
  };

  const clear = async () => {
    if (!(await ask({ title: t('templateCheck.clearTitle'), body: t('templateCheck.clearBody', { count: pageCount }), confirm: t('templateCheck.clear') }))) return;
    setRows([]);
    setSelected(null);
    focusWhenPainted(() => pickRef.current);
  };

  const onListKey = (event: React.KeyboardEvent<HTMLElement>) =>
    moveSelectionByKey(
      event,
      rows.map((row) => row.key),
      selected,
      setSelected,
    );

  return (
    <>
      {dialog}
      <section className="panel">
        <DropZone text={t('templateCheck.drop')} busy={progress !== null} onFiles={(files) => void check(files)} testId="drop-zone" inputTestId="file-input" pickRef={pickRef} />
        <div className="settings-row">
          <TextField label={t('templateCheck.dpi')} value={dpiText} onChange={setDpiText} error={dpiError} revealError={reveal} inputMode="numeric" testId="check-dpi" inputRef={dpiRef} />
          <TextField className="grow" label={t('templateCheck.pattern')} value={pattern} onChange={setPattern} error={patternError} revealError={reveal} mono placeholder="^[A-Za-z0-9._-]{4,50}$" testId="check-pattern" inputRef={patternRef} />
        </div>
        {progress && (
          <div className="job-row" data-testid="check-progress">
            <ProgressBar value={progress.page} max={progress.pageCount || 1} label={t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })} />
            <p className="muted">
              {progress.files > 1 ? `${t('templateCheck.fileOf', { file: progress.file, files: progress.files })} · ` : ''}
              {t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })}
            </p>
            <button type="button" className="secondary" onClick={cancel} data-testid="check-cancel">
              {t('templateCheck.cancel')}
            </button>
          </div>
        )}
        {error && (
          <p className="banner banner-fail" role="alert" data-testid="check-error">
            {error}
          </p>
        )}
        <p className="visually-hidden" role="status" aria-live="polite">
          {announcement}
        </p>
      </section>
      {rows.length === 0 ? (
        <p className="muted">{t('templateCheck.empty')}</p>
      ) : (
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
      )}
    </>
  );
}

function PageDetail({ row }: { row: Row }) {
  const { dpi } = row;
  const { t } = useTranslation();
  if (!row.page) {
    return (
      <div className="panel detail" data-testid="page-detail">
        <h2>{row.file}</h2>
        <p className="banner banner-fail" role="alert">
          {row.error ? describeError(t, row.error as AppErrorInfo) : ''}
        </p>
      </div>
    );
  }
  const { page } = row;
  return (
    <div className="panel detail" data-testid="page-detail">
      <h2>
        <bdi>{row.file}</bdi> · {t('templateCheck.pageLabel', { page: page.page })}
      </h2>
      <p className={`banner banner-${page.verdict === 'ok' ? 'pass' : page.verdict}`} data-testid="page-verdict">
        {t(`check.verdict.${page.verdict}`)}
      </p>
      <div className="detail-body">
        {page.annotatedPng && (
          <figure className="annotated">
            <img src={page.annotatedPng} alt={t('templateCheck.annotated')} data-testid="annotated-image" />
            <figcaption className="muted">{t('templateCheck.annotated')}</figcaption>
          </figure>
        )}
        <div className="findings">
          <h3>{t('templateCheck.codes')}</h3>
          {page.codes.length === 0 ? (
            <p className="muted">{t('templateCheck.noCodes')}</p>
          ) : (
            <ul className="codes">
              {page.codes.map((code, index) => (
                <li key={index}>
                  <code className="mono">{code.value.length > 80 ? `${code.value.slice(0, 80)}…` : code.value}</code> · {t(`check.kinds.${code.kind}`)} · {t(`check.corners.${code.corner}`)}
                  <div className="muted">{t('templateCheck.size', { w: code.box.w, h: code.box.h, moduleMm: code.moduleMm, modulePx: code.modulePx, dpi, quiet: code.quietZoneModules >= 10 ? '≥ 10' : code.quietZoneModules })}</div>
                </li>
              ))}
            </ul>
          )}
          <h3>{t('templateCheck.problems')}</h3>
          {page.problems.length === 0 && <p className="muted">{t('templateCheck.noProblems')}</p>}
          <ul className="problems" data-testid="problems">
            {page.problems.map((problem, index) => {
              const { message, fix } = localizeProblem(t, problem);
              return (
                <li key={index} className={`problem problem-${problem.severity}`}>
                  <span className={`pill pill-${problem.severity}`}>{t(`check.verdict.${problem.severity}`)}</span> {message}
                  <div className="fix">
                    <strong>{t('templateCheck.fix')}</strong> {fix}
                  </div>
                </li>
              );
            })}
          </ul>
        </div>
      </div>
    </div>
  );
}
