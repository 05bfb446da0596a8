import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { composeTicket, describeImageState, describeTimelineEntry, describeTrace, disagreementVerdicts, formatWhen } from '../../../../electron/shared/diagnose/trace-text.js';
import { erpImageStateNames, isErpImageState } from '../../../../electron/shared/imaging/erp-image-state.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { SelfCheckPanel } from './self-check-panel.js';
import { downloadBytes } from '../../files.js';

type Lookup = ValueOf<'support:lookup'>;
type Trace = Lookup['traces'][number];
type RecentBill = ValueOf<'support:recent'>[number];

/** How a verdict looks: delivered is green, what the station still has to do amber, what needs someone red. */
const verdictTone: Record<Trace['verdict'], 'pass' | 'warn' | 'fail' | 'info'> = {
  delivered: 'pass',
  'delivered-elsewhere': 'info',
  'delivered-unverified': 'warn',
  waiting: 'warn',
  held: 'fail',
  returned: 'fail',
  'pages-differ': 'fail',
  discarded: 'fail',
  'not-scanned': 'fail',
  'sync-mode': 'info',
  'no-image-needed': 'info',
  'close-lost': 'fail',
  'server-has-none': 'fail',
  voided: 'info',
};

/** The ERP's 影像状态 in a colour: ready green; on its way amber; nothing, returned red; voided grey. */
const imageStateTone: Record<string, 'pass' | 'warn' | 'fail' | 'skipped'> = { '0': 'fail', '1': 'warn', '2': 'pass', '3': 'fail', '4': 'warn', '5': 'skipped' };

/** A count as people write it in the page's language (1,800). */
const countText = (count: number, language: string) => new Intl.NumberFormat(language).format(count);

/** The ERP's 影像状态 as a large coloured badge with the ERP's own name (the English page adds a gloss). */
function ImageStateBadge({ code, testId, compact = false }: { code: string; testId?: string; compact?: boolean }) {
  const { t } = useTranslation();
  if (!isErpImageState(code)) return null;
  // In a table row only the ERP's name; the gloss and the column's name are in the tooltip.
  return (
    <span className={`erp-badge pill-${imageStateTone[code] ?? 'skipped'}${compact ? ' erp-badge-compact' : ''}`} data-state={code} data-testid={testId} title={t('troubleshoot.erp.badge', { name: describeImageState(t, code) })}>
      {compact ? erpImageStateNames[code] : t('troubleshoot.erp.badge', { name: describeImageState(t, code) })}
    </span>
  );
}

/** A local calendar day `YYYY-MM-DD` (for the date inputs). */
function localDay(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The Troubleshoot page: "no image" traced by image code, bill number or day (a pasted Excel column
 * works), each code's verdict in large colours with its evidence, the next step and who owns it; the
 * bills this station uploaded with the imaging system's status on demand; the diagnostic bundle; and
 * the station self-check. What was looked up stays when the clerk looks at another page.
 */
export function TroubleshootArea() {
  // The codes last traced (the bundle's "only these codes"), and the look-up's entry point for the recent-bills table.
  const [traced, setTraced] = useState<string[]>([]);
  const traceCodeRef = useRef<(code: string) => void>(() => undefined);
  return (
    <>
      <LookupPanel onTraced={setTraced} traceCodeRef={traceCodeRef} />
      <RecentPanel onTrace={(code) => traceCodeRef.current(code)} />
      <BundlePanel codes={traced} />
      <SelfCheckPanel />
    </>
  );
}

function LookupPanel({ onTraced, traceCodeRef }: { onTraced: (codes: string[]) => void; traceCodeRef: { current: (code: string) => void } }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [text, setText] = useState('');
  const [day, setDay] = useState('');
  const [symptom, setSymptom] = useState<'no-image' | 'no-image-needed'>('no-image');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Lookup | null>(null);
  // What the shown result answered, so "next page" asks the same question.
  const [asked, setAsked] = useState<{ text: string; day: string; symptom: typeof symptom } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const [ticket, setTicket] = useState('');
  const textRef = useRef<HTMLTextAreaElement>(null);

  // Busy buttons stay focusable (aria-disabled, not disabled): a disabled button drops the focus to the page body.
  const run = async (query: string, onDay: string, page = 1) => {
    if (busy) return;
    if (!query.trim() && !onDay) {
      setProblem(t('troubleshoot.empty'));
      focusWhenPainted(() => textRef.current);
      return;
    }
    setBusy(true);
    setProblem(null);
    setCopied(null);
    const question = page > 1 && asked ? asked : { text: query, day: onDay, symptom };
    const answer = await api.support.lookup({ text: question.text, day: question.day || null, symptom: question.symptom, page });
    setBusy(false);
    if (!answer.ok) {
      setProblem(describeError(t, answer.error));
      return;
    }
    setAsked(question);
    setResult(answer.value);
    onTraced(answer.value.traces.map((trace) => trace.code));
    // The answer is where the eye goes next: the first code's verdict.
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="trace-summary"]'));
  };
  // The recent-bills table's "trace" lands here: the code in the box, traced at once.
  useEffect(() => {
    traceCodeRef.current = (code: string) => {
      setText(code);
      setDay('');
      void run(code, '');
    };
  });

  const copyTicket = async () => {
    if (!result) return;
    // The station's facts as they are now (the profile may have changed since the page opened).
    const [info, settings] = await Promise.all([api.app.info(), api.endpoint.settings()]);
    const body = composeTicket(t, problemsFirst(result.traces), { stationId: settings.ok ? settings.value.settings.stationId : '—', version: info.ok ? info.value.version : '—' });
    setTicket(body);
    try {
      await navigator.clipboard.writeText(body);
      setCopied('copied');
    } catch {
      setCopied('failed');
      focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="ticket-text"]'));
    }
  };

  const delivered = result?.traces.filter((trace) => trace.verdict === 'delivered').length ?? 0;
  // No images needed, voided with no copy here, sent from another desk: nothing for this station to do, so not "needs attention".
  const settled = result?.traces.filter((trace) => verdictTone[trace.verdict] === 'info' && trace.owner !== 'clerk').length ?? 0;
  return (
    <section className="panel" aria-labelledby="lookup-title" data-testid="lookup-panel">
      <h2 id="lookup-title">{t('troubleshoot.lookupTitle')}</h2>
      <form
        className="lookup-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(text, day);
        }}
      >
        <label className="lookup-text">
          {t('troubleshoot.lookupLabel')}
          <textarea
            ref={textRef}
            rows={3}
            value={text}
            spellCheck={false}
            className="mono"
            placeholder={t('troubleshoot.lookupPlaceholder')}
            data-testid="lookup-text"
            onChange={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter adds a line (pasting a column); Ctrl+Enter traces.
              if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                event.preventDefault();
                void run(text, day);
              }
            }}
          />
        </label>
        <div className="lookup-options">
          <label>
            {t('troubleshoot.dayLabel')}
            <input type="date" value={day} max={localDay(new Date())} data-testid="lookup-day" onChange={(event) => setDay(event.currentTarget.value)} />
          </label>
          <label>
            {t('troubleshoot.symptomLabel')}
            <select value={symptom} data-testid="lookup-symptom" onChange={(event) => setSymptom(event.currentTarget.value as typeof symptom)}>
              <option value="no-image">{t('troubleshoot.symptoms.no-image')}</option>
              <option value="no-image-needed">{t('troubleshoot.symptoms.no-image-needed')}</option>
            </select>
          </label>
          <button type="submit" className="primary" aria-disabled={busy} data-testid="lookup-run">
            {busy ? t('troubleshoot.looking') : t('troubleshoot.lookup')}
            {!busy && <kbd className="button-key">Ctrl+Enter</kbd>}
          </button>
        </div>
      </form>
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.looking')} />}
      {problem && (
        <p className="banner banner-fail" role="alert" data-testid="lookup-problem">
          {problem}
        </p>
      )}
      {result && (
        <div className="trace-results" lang={i18n.language}>
          <p className={`banner banner-${delivered + settled === result.traces.length && result.traces.length > 0 ? 'pass' : 'warn'}`} role="status" data-testid="trace-summary">
            {/* A page of a busy day counts this page: "共 200" beside "共 450 个编码" would say two totals. */}
            {t(result.total > result.traces.length ? 'troubleshoot.resultCountPage' : 'troubleshoot.resultCount', { count: result.traces.length, delivered, other: result.traces.length - delivered - settled })}
            {settled > 0 && t('troubleshoot.resultSettled', { count: settled })}
          </p>
          {result.resolved.map((entry) => (
            <p key={entry.billNo} className="muted" data-testid="trace-resolved">
              {t('troubleshoot.resolved', { billNo: entry.billNo, codes: entry.codes.join(', ') })}
            </p>
          ))}
          {result.unresolved.length > 0 && (
            <p className="banner banner-warn" data-testid="trace-unresolved">
              {t('troubleshoot.unresolved', { entries: result.unresolved.join(', ') })}
            </p>
          )}
          {(result.leftOut > 0 || result.page > 1) && (
            <div className="banner banner-warn page-bar" data-testid="trace-pages">
              <span>
                <strong data-testid="trace-left-out">{t('troubleshoot.leftOutShort', { count: countText(result.leftOut, i18n.language) })}</strong>{' '}
                <span className="muted">{t('troubleshoot.pageRange', { first: countText(result.first, i18n.language), last: countText(result.first + result.traces.length - 1, i18n.language), total: countText(result.total, i18n.language) })}</span>
                {result.totalCapped && <span className="muted"> {t('troubleshoot.totalCapped', { total: countText(result.total, i18n.language) })}</span>}
              </span>
              <span className="actions">
                {result.page > 1 && (
                  <button type="button" className="secondary" aria-disabled={busy} data-testid="trace-previous-page" onClick={() => void run(text, day, result.page - 1)}>
                    {t('troubleshoot.previousPage')}
                  </button>
                )}{' '}
                {result.leftOut > 0 && (
                  <button type="button" className="primary" aria-disabled={busy} data-testid="trace-next-page" onClick={() => void run(text, day, result.page + 1)}>
                    {t('troubleshoot.nextPage', { size: Math.min(200, result.leftOut), first: countText(result.first + result.traces.length, i18n.language), last: countText(result.first + result.traces.length - 1 + Math.min(200, result.leftOut), i18n.language) })}
                  </button>
                )}
              </span>
            </div>
          )}
          {problemsFirst(result.traces).map((trace) => (
            <TraceCard key={trace.code} trace={trace} onChanged={(changed) => setResult((current) => current && { ...current, traces: current.traces.map((entry) => (entry.code === changed.code ? changed : entry)) })} />
          ))}
          {result.traces.length > 0 && (
            <div className="actions">
              <button type="button" className="secondary" data-testid="copy-ticket" onClick={() => void copyTicket()}>
                {t('troubleshoot.copyTicket')}
              </button>
              {copied && (
                <span className={copied === 'copied' ? 'saved' : 'status-fail'} role="status" data-testid="ticket-state">
                  {' '}
                  {t(copied === 'copied' ? 'troubleshoot.ticketCopied' : 'troubleshoot.copyFailed')}
                </span>
              )}
            </div>
          )}
          {ticket && <textarea className="report" readOnly rows={8} value={ticket} data-testid="ticket-text" aria-label={t('troubleshoot.copyTicket')} />}
        </div>
      )}
    </section>
  );
}

/** The codes that need someone first (in the order asked), the delivered ones after. */
function problemsFirst(traces: readonly Trace[]): Trace[] {
  return [...traces].sort((a, b) => Number(a.verdict === 'delivered') - Number(b.verdict === 'delivered'));
}

/**
 * One code's answer: the verdict in its colour; beside it what 影像映射维护 shows (the ERP's image state
 * as a badge, pages, who scanned where) and the station's own view — a disagreement between the two is
 * the headline; then the evidence, the next step and its owner; details below.
 */
function TraceCard({ trace, onChanged }: { trace: Trace; onChanged: (trace: Trace) => void }) {
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

/**
 * Page by page: the SHA-256 the station sent (its newest delivered or sending bill) beside what the
 * imaging system holds, and when it received each — the evidence behind "same", "missing", "extra".
 */
function PageComparison({ trace }: { trace: Trace }) {
  const { t } = useTranslation();
  const sent = [...trace.station.bills].sort((a, b) => b.importedAt.localeCompare(a.importedAt)).find((bill) => bill.upload?.state === 'done') ?? trace.station.bills.find((bill) => bill.upload);
  const mine = sent?.upload?.sha256 ?? [];
  const theirs = new Map((trace.server?.pages ?? []).map((page) => [page.page, page]));
  const count = Math.max(mine.length, ...theirs.keys(), 0);
  if (count === 0) return null;
  const short = (sha: string | undefined) => (sha ? `${sha.slice(0, 12)}…` : '—');
  return (
    <table className="results page-compare" data-testid={`trace-pages-${trace.code}`}>
      <thead>
        <tr>
          <th className="num">{t('troubleshoot.pages.page')}</th>
          <th>{t('troubleshoot.pages.station')}</th>
          <th>{t('troubleshoot.pages.server')}</th>
          <th>{t('troubleshoot.pages.received')}</th>
          <th>{t('troubleshoot.pages.verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: count }, (_, index) => {
          const page = index + 1;
          const held = theirs.get(page);
          const verdict = !trace.server ? 'unknown' : mine[index] === undefined ? 'extra' : !held ? 'missing' : held.sha256 === mine[index] ? 'same' : 'differ';
          return (
            <tr key={page}>
              <td className="num">{page}</td>
              <td className="mono">{short(mine[index])}</td>
              <td className="mono">{short(held?.sha256)}</td>
              <td>{held ? formatWhen(held.receivedAt) : '—'}</td>
              <td>
                <span className={`pill pill-${verdict === 'same' ? 'pass' : verdict === 'unknown' ? 'skipped' : 'fail'}`}>{t(`troubleshoot.pages.verdicts.${verdict}`)}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The bills this station uploaded in a time range, with the imaging system's status on demand. */
function RecentPanel({ onTrace }: { onTrace: (code: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const [range, setRange] = useState<'today' | 'week' | 'custom'>('today');
  const [from, setFrom] = useState(() => localDay(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(() => localDay(new Date()));
  const [bills, setBills] = useState<RecentBill[] | null>(null);
  const [busy, setBusy] = useState<'list' | 'refresh' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const timeRange = (): { from: string; to: string } => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    if (range === 'today') return { from: start.toISOString(), to: new Date(start.getTime() + 86_400_000).toISOString() };
    if (range === 'week') return { from: new Date(start.getTime() - 6 * 86_400_000).toISOString(), to: new Date(start.getTime() + 86_400_000).toISOString() };
    const first = new Date(`${from}T00:00:00`);
    const last = new Date(`${to}T00:00:00`);
    return { from: first.toISOString(), to: new Date(last.getTime() + 86_400_000).toISOString() };
  };
  const load = async (refresh: boolean) => {
    if (busy) return;
    setBusy(refresh ? 'refresh' : 'list');
    setProblem(null);
    const answer = await api.support.recent({ ...timeRange(), refresh });
    setBusy(null);
    if (!answer.ok) return setProblem(describeError(t, answer.error));
    setBills(answer.value);
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="recent-count"]'));
  };

  const returned = bills?.filter((bill) => bill.server?.status === 'returned').length ?? 0;
  return (
    <section className="panel" aria-labelledby="recent-title" data-testid="recent-panel">
      <h2 id="recent-title">{t('troubleshoot.recent.title')}</h2>
      <p className="muted">{t('troubleshoot.recent.intro')}</p>
      <div className="recent-form">
        <div className="radio-row" role="radiogroup" aria-label={t('troubleshoot.recent.title')}>
          {(['today', 'week', 'custom'] as const).map((option) => (
            <label key={option} className={`radio-card${range === option ? ' selected' : ''}`}>
              <input type="radio" name="recent-range" checked={range === option} data-testid={`recent-range-${option}`} onChange={() => setRange(option)} />
              {t(`troubleshoot.recent.ranges.${option}`)}
            </label>
          ))}
        </div>
        {range === 'custom' && (
          <div className="lookup-options">
            <label>
              {t('troubleshoot.recent.from')}
              <input type="date" value={from} max={to} onChange={(event) => setFrom(event.currentTarget.value)} />
            </label>
            <label>
              {t('troubleshoot.recent.to')}
              <input type="date" value={to} min={from} onChange={(event) => setTo(event.currentTarget.value)} />
            </label>
          </div>
        )}
        <div className="actions">
          <button type="button" className="secondary" aria-disabled={busy !== null} data-testid="recent-load" onClick={() => void load(false)}>
            {t('troubleshoot.recent.load')}
          </button>{' '}
          <button type="button" className="primary" aria-disabled={busy !== null} data-testid="recent-refresh" onClick={() => void load(true)}>
            {busy === 'refresh' ? t('troubleshoot.recent.refreshing') : t('troubleshoot.recent.refresh')}
          </button>
        </div>
      </div>
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.recent.refreshing')} />}
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
      {bills && (
        <>
          <p className={`banner banner-${returned > 0 ? 'fail' : 'info'}`} role="status" data-testid="recent-count">
            {bills.length === 0 ? t('troubleshoot.recent.none') : t('troubleshoot.recent.count', { count: bills.length })}
            {returned > 0 && ` · ${t('troubleshoot.recent.returnedCount', { count: returned })}`}
          </p>
          {bills.length > 0 && (
            <table className="results recent-table" data-testid="recent-table">
              <thead>
                <tr>
                  <th>{t('troubleshoot.recent.columns.code')}</th>
                  <th>{t('troubleshoot.recent.columns.closedAt')}</th>
                  <th className="num">{t('troubleshoot.recent.columns.pages')}</th>
                  <th>{t('troubleshoot.recent.columns.source')}</th>
                  <th>{t('troubleshoot.recent.columns.server')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {[...bills]
                  .sort((a, b) => Number(b.server?.status === 'returned') - Number(a.server?.status === 'returned'))
                  .map((bill) => (
                    <tr key={bill.billId} data-testid={`recent-${bill.code}`} data-status={bill.server?.status ?? 'not-checked'}>
                      <td className="mono code-text">{bill.code}</td>
                      <td>{formatWhen(bill.closedAt)}</td>
                      <td className="num">{bill.pages}</td>
                      <td>{bill.source}</td>
                      <td>
                        <ServerStatus bill={bill} />
                      </td>
                      <td>
                        <button type="button" className="secondary" onClick={() => onTrace(bill.code)}>
                          {t('troubleshoot.recent.trace')}
                        </button>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}

function ServerStatus({ bill }: { bill: RecentBill }) {
  const { t } = useTranslation();
  if (bill.serverError) return <span className="pill pill-warn">{describeCode(t, bill.serverError.code, bill.serverError.params)}</span>;
  if (!bill.server) return <span className="pill pill-skipped">{t('troubleshoot.recent.notChecked')}</span>;
  const tone = bill.server.status === 'returned' ? 'fail' : bill.server.status === 'closed' && bill.server.matches ? 'pass' : 'warn';
  return (
    <>
      <ImageStateBadge code={bill.server.imageState} testId={`recent-state-${bill.code}`} compact />{' '}
      <span className={`pill pill-${tone}`}>{t(`troubleshoot.serverStatus.${bill.server.status}`)}</span>{' '}
      {bill.server.status !== 'returned' && <span className="muted">{bill.server.matches ? t('troubleshoot.recent.matches') : t('troubleshoot.recent.differs')}</span>}
      {bill.server.returned && <div className="returned-reason">{t('troubleshoot.recent.returnedReason', { reason: bill.server.returned.reason })}</div>}
    </>
  );
}

/** One click to a zip for support: the codes just traced, or the last days. */
function BundlePanel({ codes }: { codes: string[] }) {
  const { t } = useTranslation();
  const api = useApi();
  // The person's choice holds for the codes it was made for; a fresh trace makes its codes the scope.
  const [choice, setChoice] = useState<{ scope: 'codes' | 'days'; codes: string[] } | null>(null);
  const scope = codes.length === 0 ? 'days' : choice && choice.codes === codes ? choice.scope : 'codes';
  const setScope = (next: 'codes' | 'days') => setChoice({ scope: next, codes });
  const [days, setDays] = useState('7');
  const [busy, setBusy] = useState(false);
  const [made, setMade] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const make = async () => {
    if (busy) return;
    setBusy(true);
    setProblem(null);
    setMade(null);
    const dayCount = Math.min(90, Math.max(1, Number.parseInt(days, 10) || 7));
    const answer = await api.support.bundle(scope === 'codes' && codes.length ? { codes } : { days: dayCount });
    setBusy(false);
    if (!answer.ok) return setProblem(describeError(t, answer.error));
    const bytes = Uint8Array.from(atob(answer.value.zipBase64), (char) => char.charCodeAt(0));
    downloadBytes(bytes, answer.value.name, 'application/zip');
    setMade(t('troubleshoot.bundle.ready', { name: answer.value.name, size: `${Math.max(1, Math.round(bytes.length / 1024))} KB` }));
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="bundle-made"]'));
  };
  return (
    <section className="panel" aria-labelledby="bundle-title" data-testid="bundle-panel">
      <h2 id="bundle-title">{t('troubleshoot.bundle.title')}</h2>
      <p className="muted">{t('troubleshoot.bundle.intro')}</p>
      <div className="radio-row">
        <label className={`radio-card${scope === 'codes' ? ' selected' : ''}`}>
          <input type="radio" name="bundle-scope" checked={scope === 'codes'} disabled={codes.length === 0} data-testid="bundle-scope-codes" onChange={() => setScope('codes')} />
          {t('troubleshoot.bundle.scopeCodes')}
          {codes.length > 0 && <span className="muted mono"> {codes.slice(0, 3).join(', ')}{codes.length > 3 ? ' …' : ''}</span>}
        </label>
        <label className={`radio-card${scope === 'days' ? ' selected' : ''}`}>
          <input type="radio" name="bundle-scope" checked={scope === 'days'} data-testid="bundle-scope-days" onChange={() => setScope('days')} />
          {t('troubleshoot.bundle.scopeDays')}
          <input type="number" className="days-input" min={1} max={90} value={days} aria-label={t('troubleshoot.bundle.days')} data-testid="bundle-days" onChange={(event) => setDays(event.currentTarget.value)} />
        </label>
      </div>
      <div className="actions">
        <button type="button" className="primary" aria-disabled={busy} data-testid="bundle-make" onClick={() => void make()}>
          {busy ? t('troubleshoot.bundle.making') : t('troubleshoot.bundle.make')}
        </button>
      </div>
      {busy && <div className="progress progress-indeterminate" role="progressbar" aria-label={t('troubleshoot.bundle.making')} />}
      {problem && (
        <p className="banner banner-fail" role="alert">
          {problem}
        </p>
      )}
      {made && (
        <p className="banner banner-pass" role="status" data-testid="bundle-made">
          {made}
        </p>
      )}
    </section>
  );
}
