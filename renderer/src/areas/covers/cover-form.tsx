// The single cover's form: its fields checked as typed, the QR code's layout, Save (Enter) and Print, and the result under them.
import { useRef, useState, type Dispatch, type SetStateAction } from 'react';
import { useTranslation } from 'react-i18next';
import { safeFileStem } from '../../../../electron/shared/file-names.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { TextField } from '../../components/field.js';
import { readNumberText } from '../../components/number-text.js';
import { fieldKeys, type FieldKey, type Fields, type Layout } from './cover-fields.js';
import { CoverResult } from './cover-result.js';
import type { CoverJobs } from './use-cover-jobs.js';
import type { useCoverPreview } from './use-cover-preview.js';

/** One cover from a form: a refused cover marks and focuses its field; a good one downloads or prints. */
export function CoverForm({ fields, setFields, layout, setLayout, checked, jobs, runtime }: { fields: Fields; setFields: Dispatch<SetStateAction<Fields>>; layout: Layout; setLayout: Dispatch<SetStateAction<Layout>>; checked: ReturnType<typeof useCoverPreview>; jobs: CoverJobs; runtime: ValueOf<'app:info'>['runtime'] | null }) {
  const { t } = useTranslation();
  const { preview, problemField, fieldError } = checked;
  const { progress, setOutcome, generate, print, busy } = jobs;
  const [sizeText, setSizeText] = useState('22');
  const [reveal, setReveal] = useState(false);
  const fieldRefs = useRef<Partial<Record<FieldKey, HTMLInputElement | null>>>({});

  const size = readNumberText(sizeText, { min: 15, max: 40 });

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

  const codeName = (code: string) => `${safeFileStem(code) || 'cover'}.pdf`;

  return (
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
      <CoverResult target="single" jobs={jobs} />
    </form>
  );
}
