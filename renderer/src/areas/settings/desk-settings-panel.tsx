import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { compileCodePattern } from '../../../../electron/shared/code-pattern.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { maxExpectedCodesUploadBytes } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { TextField } from '../../components/field.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';
import { useUnsavedChanges } from '../../state/unsaved-changes.js';
import { fileToBase64, safeUploadName } from '../../files.js';
import { formatDateTime } from '../../components/date-text.js';

type DeskSettings = ValueOf<'scanDesk:settings'>;

/**
 * The save message, by what changed: a new release mode says what new bills now do, a new split rule
 * (code pattern, blank threshold, cover as page) that the next stack is split so, a new batch gap that
 * the next batch ends so; anything else (keeping days) is only "saved".
 */
function describeSaved(t: TFunction, before: DeskSettings | null, after: DeskSettings): string {
  const said = [t('deskSettings.saved')];
  if (before && before.release !== after.release) said.push(t(`deskSettings.savedRelease.${after.release}`));
  if (!before || before.pattern !== after.pattern || before.blankInkPercent !== after.blankInkPercent || before.coverIsPage !== after.coverIsPage) said.push(t('deskSettings.savedSplit'));
  if (before && before.batchGapSeconds !== after.batchGapSeconds) said.push(t('deskSettings.savedBatchGap'));
  return said.join(t('deskSettings.savedSeparator'));
}

/**
 * How this station splits stacks: the image-code rule, the expected-codes list from the ERP, the
 * blank-back threshold and whether the cover is uploaded as page 1. Applies to the next stack taken
 * in, by the app and by `scan-station intake` alike.
 */
export function DeskSettingsPanel() {
  const { t } = useTranslation();
  const api = useApi();
  const [saved, setSaved] = useState<DeskSettings | null>(null);
  const [pattern, setPattern] = useState('');
  const [blankText, setBlankText] = useState('');
  const [coverIsPage, setCoverIsPage] = useState(true);
  const [recycleText, setRecycleText] = useState('');
  const [importedText, setImportedText] = useState('');
  const [doneText, setDoneText] = useState('');
  const [release, setRelease] = useState<'auto' | 'review'>('auto');
  const [gapText, setGapText] = useState('');
  const [reveal, setReveal] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'pass' | 'fail'; text: string } | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const adopt = (settings: DeskSettings) => {
    setSaved(settings);
    setPattern(settings.pattern ?? '');
    setBlankText(String(settings.blankInkPercent));
    setCoverIsPage(settings.coverIsPage);
    setRecycleText(String(settings.recycleDays));
    setImportedText(String(settings.importedDays));
    setDoneText(String(settings.doneDays));
    setRelease(settings.release);
    setGapText(String(settings.batchGapSeconds));
  };
  useEffect(() => {
    void api.scanDesk.settings().then((result) => {
      if (result.ok) adopt(result.value);
      else setNotice({ tone: 'fail', text: describeError(t, result.error) });
    });
    // Loaded once: coming back to Settings must not overwrite edits (see the Settings loader).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  const compiled = pattern.trim() === '' ? null : compileCodePattern(pattern.trim());
  const patternError = compiled && !(compiled instanceof RegExp) ? describeError(t, { code: 'invalid-pattern', message: '', params: { reason: compiled.reason } }) : null;
  const blank = readNumberText(blankText, { min: 0, max: 5, integer: false });
  const blankError = blank.ok ? null : t(blank.key, blank.params);
  const recycle = readNumberText(recycleText, { min: 1, max: 3650 });
  const recycleError = recycle.ok ? null : t(recycle.key, recycle.params);
  const imported = readNumberText(importedText, { min: 0, max: 3650 });
  const importedError = imported.ok ? null : t(imported.key, imported.params);
  const done = readNumberText(doneText, { min: 0, max: 3650 });
  const doneError = done.ok ? null : t(done.key, done.params);
  const gap = readNumberText(gapText, { min: 2, max: 600 });
  const gapError = gap.ok ? null : t(gap.key, gap.params);
  const dirty = saved !== null && ((saved.pattern ?? '') !== pattern.trim() || String(saved.blankInkPercent) !== blankText.trim() || saved.coverIsPage !== coverIsPage || String(saved.recycleDays) !== recycleText.trim() || String(saved.importedDays) !== importedText.trim() || String(saved.doneDays) !== doneText.trim() || saved.release !== release || String(saved.batchGapSeconds) !== gapText.trim());
  useUnsavedChanges('settings', dirty, 'scan-desk');

  const tell = (tone: 'pass' | 'fail', text: string) => {
    setNotice({ tone, text });
    focusWhenPainted(() => noticeRef.current);
  };
  const save = async () => {
    if (patternError || !blank.ok || !recycle.ok || !imported.ok || !done.ok || !gap.ok) return setReveal(true);
    const result = await api.scanDesk.saveSettings({ pattern: pattern.trim() || null, blankInkPercent: blank.value, coverIsPage, recycleDays: recycle.value, importedDays: imported.value, doneDays: done.value, release, batchGapSeconds: gap.value });
    if (!result.ok) return tell('fail', describeError(t, result.error));
    const before = saved;
    adopt(result.value);
    tell('pass', describeSaved(t, before, result.value));
  };
  const importList = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > maxExpectedCodesUploadBytes) return tell('fail', t('errors.file-too-large', { name: file.name, size: `${Math.round(file.size / 1e6)} MB`, limit: `${maxExpectedCodesUploadBytes / 1e6} MB` }));
    const result = await api.scanDesk.importExpected({ name: safeUploadName(file.name), dataBase64: await fileToBase64(file) });
    if (fileRef.current) fileRef.current.value = '';
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setSaved((previous) => (previous ? { ...previous, expectedCodes: result.value.expectedCodes } : result.value));
    tell('pass', t('deskSettings.listImported', { count: result.value.expectedCodes?.count ?? 0, name: file.name }));
  };
  const clearList = async () => {
    const result = await api.scanDesk.clearExpected();
    if (!result.ok) return tell('fail', describeError(t, result.error));
    setSaved((previous) => (previous ? { ...previous, expectedCodes: null } : result.value));
    tell('pass', t('deskSettings.listCleared'));
  };

  const list = saved?.expectedCodes ?? null;
  return (
    <section className="panel" aria-labelledby="desk-settings-title" data-testid="desk-settings">
      <h2 id="desk-settings-title">{t('deskSettings.title')}</h2>
      <p className="muted">{t('deskSettings.intro')}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <TextField label={t('deskSettings.pattern')} value={pattern} onChange={setPattern} error={patternError} revealError={reveal} hint={t('deskSettings.patternHint')} mono wide testId="desk-pattern" placeholder="^FY-\d{4}-\d{6}$" maxLength={300} />
        <TextField label={t('deskSettings.blank')} value={blankText} onChange={setBlankText} error={blankError} revealError={reveal} hint={t('deskSettings.blankHint')} inputMode="decimal" testId="desk-blank" maxLength={6} />
        <TextField label={t('deskSettings.recycle')} value={recycleText} onChange={setRecycleText} error={recycleError} revealError={reveal} hint={t('deskSettings.recycleHint')} inputMode="numeric" testId="desk-recycle" maxLength={5} />
        <TextField label={t('deskSettings.imported')} value={importedText} onChange={setImportedText} error={importedError} revealError={reveal} hint={t('deskSettings.importedHint')} inputMode="numeric" testId="desk-imported" maxLength={5} />
        <TextField label={t('deskSettings.done')} value={doneText} onChange={setDoneText} error={doneError} revealError={reveal} hint={t('deskSettings.doneHint')} inputMode="numeric" testId="desk-done" maxLength={5} />
        <fieldset className="radio-group" data-testid="desk-release">
          <legend>{t('deskSettings.release')}</legend>
          {(['auto', 'review'] as const).map((mode) => (
            <label key={mode} className="inline-check">
              <input type="radio" name="desk-release" value={mode} checked={release === mode} onChange={() => setRelease(mode)} data-testid={`desk-release-${mode}`} />
              {t(mode === 'auto' ? 'deskSettings.releaseAuto' : 'deskSettings.releaseReview')}
            </label>
          ))}
          <p className="muted small">{t('deskSettings.releaseHint')}</p>
        </fieldset>
        <TextField label={t('deskSettings.batchGap')} value={gapText} onChange={setGapText} error={gapError} revealError={reveal} hint={t('deskSettings.batchGapHint')} inputMode="numeric" testId="desk-batch-gap" maxLength={4} />
        <label className="inline-check">
          <input type="checkbox" checked={coverIsPage} onChange={(event) => setCoverIsPage(event.currentTarget.checked)} data-testid="desk-cover-is-page" />
          {t('deskSettings.coverIsPage')}
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={!dirty} data-testid="desk-settings-save">
            {t('deskSettings.save')}
          </button>
        </div>
      </form>
      <h3>{t('deskSettings.expected')}</h3>
      <p data-testid="desk-expected-state">{list ? t('deskSettings.listState', { count: list.count, name: list.name, at: formatDateTime(list.importedAt) }) : t('deskSettings.noList')}</p>
      <div className="actions">
        <input ref={fileRef} type="file" accept=".txt,.csv,text/plain,text/csv" className="visually-hidden" tabIndex={-1} data-testid="desk-expected-file" onChange={(event) => void importList(event.currentTarget.files?.[0])} />
        <button type="button" className="secondary" onClick={() => fileRef.current?.click()} data-testid="desk-expected-import">
          {t('deskSettings.importList')}
        </button>
        {list && (
          <button type="button" className="secondary" onClick={() => void clearList()} data-testid="desk-expected-clear">
            {t('deskSettings.clearList')}
          </button>
        )}
      </div>
      {notice && (
        <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="desk-settings-notice">
          {notice.text}
        </p>
      )}
    </section>
  );
}
