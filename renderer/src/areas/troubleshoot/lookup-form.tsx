// The look-up form: image codes, bill numbers or a pasted column, a day, the symptom; Ctrl+Enter traces.
import { useTranslation } from 'react-i18next';
import { localDay } from './local-day.js';
import type { LookupState, Symptom } from './use-lookup.js';

/** The question to trace: the text box (Enter adds a line, Ctrl+Enter traces), the day and the symptom. */
export function LookupForm({ lookup }: { lookup: LookupState }) {
  const { t } = useTranslation();
  const { text, setText, day, setDay, symptom, setSymptom, busy, textRef, run } = lookup;
  return (
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
          <select value={symptom} data-testid="lookup-symptom" onChange={(event) => setSymptom(event.currentTarget.value as Symptom)}>
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
  );
}
