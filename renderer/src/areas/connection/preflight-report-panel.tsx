// The preflight report panel: the report as text to read, and a button that copies it for support.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { composePreflightReport } from './preflight-report.js';
import type { EndpointView, PreflightStep } from './preflight-text.js';

/** The report after a check (a new check starts it afresh); Copy falls back to selecting it where the clipboard is refused. */
export function PreflightReportPanel({ info, steps, appVersion }: { info: EndpointView | null; steps: readonly PreflightStep[]; appVersion?: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const reportRef = useRef<HTMLTextAreaElement>(null);
  const report = composePreflightReport(t, info, steps, appVersion);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(report);
    } catch {
      // Permission-less fallback (the desktop shell denies clipboard permissions by design).
      reportRef.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };

  return (
    <section className="panel">
      <h2>{t('connectionPage.report')}</h2>
      <textarea ref={reportRef} className="report" readOnly value={report} rows={Math.min(14, report.split('\n').length + 1)} data-testid="preflight-report" />
      <div className="actions">
        <button type="button" onClick={() => void copy()}>
          {copied ? t('connectionPage.copied') : t('connectionPage.copy')}
        </button>
      </div>
    </section>
  );
}
