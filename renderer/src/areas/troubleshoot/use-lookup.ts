// The troubleshooter's look-up state: what was asked, the answer page by page, and the support ticket made from it.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { composeTicket } from '../../../../electron/shared/diagnose/trace-text.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { problemsFirst, type Trace } from './verdicts.js';

/** The look-up's answer: the traces of one page, what resolved to which codes, what is left out. */
export type Lookup = ValueOf<'support:lookup'>;
/** What the clerk is asked about: no image arrived, or images arrived where none were needed. */
export type Symptom = 'no-image' | 'no-image-needed';

/**
 * Holds the look-up: the question as typed, the answer shown (kept when the clerk looks at another
 * page), and the ticket; `traceCodeRef` lets the recent-bills table trace one code at once.
 */
export function useLookup({ onTraced, traceCodeRef }: { onTraced: (codes: string[]) => void; traceCodeRef: { current: (code: string) => void } }) {
  const { t } = useTranslation();
  const api = useApi();
  const [text, setText] = useState('');
  const [day, setDay] = useState('');
  const [symptom, setSymptom] = useState<Symptom>('no-image');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Lookup | null>(null);
  // What the shown result answered, so "next page" asks the same question.
  const [asked, setAsked] = useState<{ text: string; day: string; symptom: Symptom } | null>(null);
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

  /** A code's card changed (re-closed): its new trace replaces the old one in the answer. */
  const replaceTrace = (changed: Trace) => setResult((current) => current && { ...current, traces: current.traces.map((entry) => (entry.code === changed.code ? changed : entry)) });

  return { text, setText, day, setDay, symptom, setSymptom, busy, result, problem, copied, ticket, textRef, run, copyTicket, replaceTrace };
}

/** The look-up's state and actions, as the panel's parts read them. */
export type LookupState = ReturnType<typeof useLookup>;
