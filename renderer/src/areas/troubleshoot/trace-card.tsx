// One traced code's card: its verdict, the ERP's state beside the station's view, the next step and the re-close.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeImageState, describeTimelineEntry, describeTrace, disagreementVerdicts } from '../../../../electron/shared/diagnose/trace-text.js';
import { useApi } from '../../api/api-context.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { ImageStateBadge } from './image-state-badge.js';
import { PageComparison } from './page-comparison.js';
import { verdictTone, type Trace } from './verdicts.js';

/**
 * One code's answer: the verdict in its colour; beside it what 影像映射维护 shows (the ERP's image state
 * as a badge, pages, who scanned where) and the station's own view — a disagreement between the two is
 * the headline; then the evidence, the next step and its owner; details below.
 */
export function TraceCard({ trace, onChanged }: { trace: Trace; onChanged: (trace: Trace) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const text = describeTrace(t, trace);
  const tone = verdictTone[trace.verdict];
  const compare = trace.server?.compare;
  const disagree = disagreementVerdicts.has(trace.verdict);
  const [reclosing, setReclosing] = useState(false);
  const [reclosed, setReclosed] = useState<{ ok: boolean; text: string } | null>(null);
  const reclose = async () => {
    if (reclosing) return;
    setReclosing(true);
    setReclosed(null);
    const answer = await api.support.reclose({ code: trace.code });
    setReclosing(false);
    if (!answer.ok) setReclosed({ ok: false, text: describeError(t, answer.error) });
    else {
      const after = answer.value.after;
      setReclosed(answer.value.resent ? { ok: after.verdict === 'delivered', text: t('troubleshoot.reclosed', { state: describeImageState(t, after.erp?.imageState.code ?? '') }) } : { ok: false, text: t('troubleshoot.recloseNotNeeded', { title: describeTrace(t, after).title }) });
      onChanged(after);
    }
    focusWhenPainted(() => document.querySelector<HTMLElement>(`[data-testid="trace-reclosed-${trace.code}"]`));
  };
  return (
    <article className={`trace-card trace-${tone}`} data-testid={`trace-${trace.code}`} data-verdict={trace.verdict}>
      <header className="trace-head">
        <span className="mono trace-code code-text">{trace.code}</span>
        {disagree && (
          <span className="disagree-chip" data-testid={`trace-disagree-${trace.code}`}>
            {t('troubleshoot.erp.disagree')}
          </span>
        )}
        <strong className="trace-title">{text.title}</strong>
      </header>
      <div className={`trace-sides${disagree ? ' trace-sides-disagree' : ''}`}>
        <p className="trace-side erp-side" data-testid={`trace-erp-${trace.code}`}>
          {trace.erp && <ImageStateBadge code={trace.erp.imageState.code} testId={`trace-erp-state-${trace.code}`} />} <span>{text.erp}</span>
        </p>
        <p className="trace-side station-side" data-testid={`trace-station-${trace.code}`}>
          {text.station}
        </p>
      </div>
      <p className="trace-line">
        <span className="trace-label">{t('troubleshoot.evidence')}</span> {text.evidence}
      </p>
      {text.note && (
        <p className="trace-line muted" data-testid={`trace-note-${trace.code}`}>
          {text.note}
        </p>
      )}
      <p className="trace-line trace-next">
        <span className="trace-label">{t('troubleshoot.next')}</span> {text.next}
      </p>
      <p className="owner-chip" data-testid={`trace-owner-${trace.code}`}>
        {t('troubleshoot.owner', { owner: text.owner })}
      </p>
      {trace.verdict === 'close-lost' && (
        <div className="actions">
          <button type="button" className="primary" aria-disabled={reclosing} data-testid={`trace-reclose-${trace.code}`} onClick={() => void reclose()}>
            {reclosing ? t('troubleshoot.reclosing') : t('troubleshoot.reclose')}
          </button>
        </div>
      )}
      {reclosing && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.reclosing')} />}
      {reclosed && (
        <p className={`banner banner-${reclosed.ok ? 'pass' : 'warn'}`} role="status" tabIndex={-1} data-testid={`trace-reclosed-${trace.code}`}>
          {reclosed.text}
        </p>
      )}
      <details className="trace-details">
        <summary>{t('troubleshoot.detailsTitle')}</summary>
        {trace.server && compare && (
          <p className="muted" data-testid={`trace-compare-${trace.code}`}>
            {t('troubleshoot.compare', { status: t(`troubleshoot.serverStatus.${trace.server.status}`), same: compare.same.length, missing: compare.missing.join(', ') || '—', extra: compare.extra.join(', ') || '—', differ: compare.differ.join(', ') || '—' })}
          </p>
        )}
        {trace.serverError && <p className="muted">{describeCode(t, trace.serverError.code, trace.serverError.params)}</p>}
        <PageComparison trace={trace} />
        {trace.timeline.length === 0 ? (
          <p className="muted">{t('troubleshoot.noTimeline')}</p>
        ) : (
          <ol className="timeline">
            {trace.timeline.map((entry, index) => {
              const line = describeTimelineEntry(t, entry);
              return (
                <li key={index} className={`timeline-${entry.from}`}>
                  <span className="timeline-when">{line.when}</span> <strong>{line.what}</strong>
                  {line.detail && <span className="timeline-detail"> {line.detail}</span>}
                </li>
              );
            })}
          </ol>
        )}
      </details>
    </article>
  );
}
