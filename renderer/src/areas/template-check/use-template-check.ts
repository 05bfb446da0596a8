// The template check's state: the dpi and code-pattern fields, the files being checked with their progress, the results.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { compileCodePattern } from '../../../../electron/shared/code-pattern.js';
import { maxTemplateBytes } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import type { useConfirm } from '../../components/confirm-dialog.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';
import { fileToBase64, safeUploadName } from '../../files.js';
import { summarizeRows, type CheckRow } from './check-rows.js';

/** Errors that are about the station, not the file: they stop the batch and show at the top. */
const stationErrors = new Set(['bridge-unreachable', 'bridge-unauthorized', 'untrusted-sender', 'internal-error', 'invalid-arguments', 'invalid-pattern']);

/**
 * Holds the template check: the fields as typed (checked before any file is sent), the files
 * checked one after another (cancellable, with progress), the rows they gave and the one selected;
 * the newest result takes the focus (`listRef`), or the drop zone's button (`pickRef`) when none came.
 */
export function useTemplateCheck(ask: ReturnType<typeof useConfirm>['ask']) {
  const { t } = useTranslation();
  const api = useApi();
  const [rows, setRows] = useState<CheckRow[]>([]);
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

  const checkFiles = async (files: File[]) => {
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
      let added: CheckRow[];
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

  const clear = async () => {
    if (!(await ask({ title: t('templateCheck.clearTitle'), body: t('templateCheck.clearBody', { count: summarizeRows(rows).pageCount }), confirm: t('templateCheck.clear') }))) return;
    setRows([]);
    setSelected(null);
    focusWhenPainted(() => pickRef.current);
  };

  return { rows, selected, setSelected, dpiText, setDpiText, pattern, setPattern, dpiError, patternError, reveal, progress, error, announcement, pickRef, dpiRef, patternRef, listRef, checkFiles, cancel, clear };
}

/** The template check's state and actions, as the page's parts read them. */
export type TemplateCheck = ReturnType<typeof useTemplateCheck>;
