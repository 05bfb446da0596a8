import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { localizeProblem } from '../../../electron/shared/check-messages.js';
import type { AppErrorInfo } from '../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../electron/shared/ipc-contract.js';
import { maxTemplateBytes } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';
import { describeError } from '../api/error-text.js';
import { ProgressBar } from '../components/progress-bar.js';
import { downloadBytes, fileToBase64 } from '../files.js';

type FileReport = ValueOf<'templateCheck:inspect'>;
type PageReport = FileReport['pages'][number];

interface Row {
  key: string;
  file: string;
  page: PageReport | null;
  error: AppErrorInfo | { code: string; message: string; params?: Record<string, string | number> } | null;
}

const accept = '.pdf,.tif,.tiff,.jpg,.jpeg,.png';

/** Template check: drop templates or scans, see each page's verdict, annotated picture and fixes. */
export function TemplateCheckArea() {
  const { t } = useTranslation();
  const api = useApi();
  const [rows, setRows] = useState<Row[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [dpi, setDpi] = useState(200);
  const [pattern, setPattern] = useState('');
  const [progress, setProgress] = useState<{ name: string; page: number; pageCount: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const jobRef = useRef<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(
    () =>
      api.on('templateCheck:progress', (event) => {
        if (event.jobId === jobRef.current) setProgress({ name: event.name, page: event.page, pageCount: event.pageCount });
      }),
    [api],
  );

  const check = async (files: File[]) => {
    setError(null);
    for (const file of files) {
      const jobId = crypto.randomUUID();
      jobRef.current = jobId;
      setProgress({ name: file.name, page: 0, pageCount: 0 });
      let added: Row[];
      if (file.size > maxTemplateBytes) {
        added = [{ key: `${jobId}`, file: file.name, page: null, error: { code: 'file-too-large', message: '', params: { name: file.name, size: `${Math.round(file.size / 1e6)} MB`, limit: `${maxTemplateBytes / 1e6} MB` } } }];
      } else {
        const result = await api.templateCheck.inspect({ jobId, name: file.name, dataBase64: await fileToBase64(file), dpi, pattern: pattern.trim() || undefined });
        if (!result.ok) {
          if (result.error.code === 'invalid-pattern' || result.error.code === 'invalid-arguments') {
            setError(describeError(t, result.error));
            setProgress(null);
            return;
          }
          added = [{ key: jobId, file: file.name, page: null, error: result.error }];
        } else {
          const report = result.value;
          added = [
            ...(report.error ? [{ key: `${jobId}-error`, file: file.name, page: null, error: report.error }] : []),
            ...report.pages.map((page) => ({ key: `${jobId}-${page.page}`, file: file.name, page, error: null })),
          ];
        }
      }
      setRows((previous) => [...previous, ...added]);
      setSelected((current) => current ?? added[0]?.key ?? null);
    }
    setProgress(null);
  };

  const current = rows.find((row) => row.key === selected) ?? null;
  const counts = { ok: 0, warn: 0, fail: 0, errors: 0 };
  for (const row of rows) {
    if (row.page) counts[row.page.verdict] += 1;
    else counts.errors += 1;
  }

  const exportCsv = () => {
    const quote = (value: string | number) => `"${String(value).replace(/"/g, '""')}"`;
    const lines = [['file', 'page', 'verdict', 'code', 'corner', 'module_mm', 'module_px', 'quiet_zone_modules', 'problems'].join(',')];
    for (const row of rows) {
      const problems = row.page ? row.page.problems.map((problem) => localizeProblem(t, problem).message).join(' | ') : row.error ? describeError(t, row.error as AppErrorInfo) : '';
      const code = row.page?.codes[0];
      lines.push([row.file, row.page?.page ?? '', row.page ? t(`check.verdict.${row.page.verdict}`) : t('templateCheck.unreadable'), code?.value ?? '', code ? t(`check.corners.${code.corner}`) : '', code?.moduleMm ?? '', code?.modulePx ?? '', code?.quietZoneModules ?? '', problems].map(quote).join(','));
    }
    // BOM so Excel on a Chinese PC opens it as UTF-8.
    downloadBytes(`\ufeff${lines.join('\r\n')}\r\n`, 'template-check.csv', 'text/csv;charset=utf-8');
  };

  const onListKey = (event: React.KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const index = rows.findIndex((row) => row.key === selected);
    const next = rows[Math.max(0, Math.min(rows.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      setSelected(next.key);
      event.currentTarget.querySelector<HTMLButtonElement>(`[data-key="${next.key}"]`)?.focus();
    }
  };

  return (
    <>
      <section className="panel">
        <div
          className={`drop-zone${dragging ? ' dragging' : ''}`}
          data-testid="drop-zone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            void check(Array.from(event.dataTransfer.files));
          }}
        >
          <p>{t('templateCheck.drop')}</p>
          <button type="button" className="primary" onClick={() => inputRef.current?.click()} disabled={progress !== null}>
            {t('templateCheck.pick')}
          </button>
          <input
            ref={inputRef}
            type="file"
            accept={accept}
            multiple
            hidden
            data-testid="file-input"
            onChange={(event) => {
              const files = Array.from(event.currentTarget.files ?? []);
              event.currentTarget.value = '';
              void check(files);
            }}
          />
        </div>
        <div className="settings-row">
          <label>
            {t('templateCheck.dpi')}
            <input type="number" min={50} max={1200} step={50} value={dpi} onChange={(event) => setDpi(Math.max(50, Math.min(1200, Number(event.currentTarget.value) || 200)))} />
          </label>
          <label className="grow">
            {t('templateCheck.pattern')}
            <input type="text" value={pattern} placeholder="^[A-Za-z0-9._-]{4,64}$" spellCheck={false} onChange={(event) => setPattern(event.currentTarget.value)} />
          </label>
        </div>
        {progress && <ProgressBar value={progress.page} max={progress.pageCount || 1} label={t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })} />}
        {progress && (
          <p className="muted" role="status">
            {t('templateCheck.running', { name: progress.name, page: progress.page, pages: progress.pageCount || '…' })}
          </p>
        )}
        {error && (
          <p className="banner banner-fail" role="alert">
            {error}
          </p>
        )}
      </section>
      {rows.length === 0 ? (
        <p className="muted">{t('templateCheck.empty')}</p>
      ) : (
        <section className="results-layout">
          <div className="panel result-list">
            <div className="list-head">
              <span data-testid="check-summary">{t('templateCheck.summary', { files: new Set(rows.map((row) => row.file)).size, pages: rows.filter((row) => row.page).length, ...counts })}</span>
              <button type="button" onClick={exportCsv} data-testid="export-csv">
                {t('templateCheck.exportCsv')}
              </button>
              <button type="button" onClick={() => (setRows([]), setSelected(null))}>
                {t('templateCheck.clear')}
              </button>
            </div>
            <ul onKeyDown={onListKey}>
              {rows.map((row) => (
                <li key={row.key}>
                  <button type="button" data-key={row.key} className={`result-row${row.key === selected ? ' selected' : ''}`} aria-pressed={row.key === selected} onClick={() => setSelected(row.key)}>
                    <span className={`pill pill-${row.page ? (row.page.verdict === 'ok' ? 'pass' : row.page.verdict) : 'fail'}`}>{row.page ? t(`check.verdict.${row.page.verdict}`) : t('templateCheck.unreadable')}</span>
                    <span className="result-file" title={row.file}>
                      {row.file}
                    </span>
                    {row.page && <span className="muted">{t('templateCheck.pageLabel', { page: row.page.page })}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </div>
          {current && <PageDetail row={current} dpi={dpi} />}
        </section>
      )}
    </>
  );
}

function PageDetail({ row, dpi }: { row: Row; dpi: number }) {
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
        {row.file} · {t('templateCheck.pageLabel', { page: page.page })}
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
