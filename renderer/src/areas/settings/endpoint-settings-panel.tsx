import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import {
  defaultEndpointSettings,
  defaultImagingPaths,
  environmentPresets,
  imagingModes,
  presetDefaults,
  secretEndpointOf,
  validateEndpointSettings,
  type EndpointSettings,
  type SettingsProblem,
} from '../../../../electron/shared/endpoint/endpoint-settings.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import { announceEndpointChange } from '../../api/endpoint-events.js';
import { downloadBytes } from '../../files.js';
import { useConfirm } from '../../components/confirm-dialog.js';
import { TextField } from '../../components/field.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';
import { useUnsavedChanges } from '../../state/unsaved-changes.js';
import { formatDateTime } from '../../components/date-text.js';

type View = ValueOf<'endpoint:settings'>;
type Field = keyof EndpointSettings;
/** What the secret field will do on save: keep the stored one, replace it, or remove it. */
type SecretEdit = { kind: 'keep' } | { kind: 'replace'; value: string } | { kind: 'clear' };

const pathNames = Object.keys(defaultImagingPaths) as Array<keyof typeof defaultImagingPaths>;

/** The problems of one field, each with its fix and, where the fix is a value, a button that applies it. */
function FieldProblems({ problems, onApply }: { problems: SettingsProblem[]; onApply: (problem: SettingsProblem) => void }) {
  const { t } = useTranslation();
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems">
      {problems.map((problem) => (
        <li key={problem.code} className={`field-problem field-problem-${problem.severity}`} data-testid={`problem-${problem.code}`}>
          <span>{t(`endpointProblems.${problem.code}`, problem.params)}</span>{' '}
          <span className="fix">
            {t('templateCheck.fix')} {t(`endpointFixes.${problem.code}`, problem.params)}
          </span>
          {problem.code === 'private-api-suffix' || problem.code === 'code-not-fpy' || problem.code === 'scheme-port-mismatch' ? (
            <button type="button" className="link-button" onClick={() => onApply(problem)}>
              {t('endpointSettings.applyFix')}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * The fields a preset change sets. Training is a fixed environment: entering it restores its own
 * name and client id; leaving it drops them. A name that was only the previous preset's label
 * follows the new preset, so the profile never says "private" beside "local training".
 */
function switchPreset(draft: EndpointSettings, preset: EndpointSettings['preset'], labelOf: (preset: EndpointSettings['preset']) => string): Partial<EndpointSettings> {
  const leavingTraining = draft.preset === 'local-training' && preset !== 'local-training';
  const autoNamed = draft.profileName.trim() === '' || draft.profileName === defaultEndpointSettings.profileName || draft.profileName === labelOf(draft.preset);
  if (preset === 'local-training') return { preset, ...presetDefaults(preset), profileName: defaultEndpointSettings.profileName, clientId: defaultEndpointSettings.clientId };
  return {
    preset,
    ...presetDefaults(preset),
    ...(autoNamed ? { profileName: labelOf(preset) } : {}),
    ...(leavingTraining && draft.clientId === defaultEndpointSettings.clientId ? { clientId: '' } : {}),
  };
}

/**
 * Settings → imaging endpoint: presets, every field with inline validation (the same rules core
 * applies), the client secret (write-only), the CA certificate, export/import without secrets.
 */
export function EndpointSettingsPanel({ onOpenConnection }: { onOpenConnection: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [view, setView] = useState<View | null>(null);
  const [draft, setDraft] = useState<EndpointSettings | null>(null);
  const [secret, setSecret] = useState<SecretEdit>({ kind: 'keep' });
  // The person's explicit yes to letting the stored secret sign for a changed address.
  const [keepForNewAddress, setKeepForNewAddress] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'pass' | 'warn' | 'fail'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  // The port as typed: "" or "80a" stay on screen with a message, never snapped to a number.
  const [portText, setPortText] = useState<string | null>(null);
  const importRef = useRef<HTMLInputElement>(null);
  const caRef = useRef<HTMLInputElement>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const { ask, dialog } = useConfirm();

  // Loaded once: coming back to the page (or switching language) must not replace unsaved edits.
  const loaded = useRef(false);
  useEffect(() => {
    if (loaded.current) return;
    loaded.current = true;
    void api.endpoint.settings().then((result) => {
      if (result.ok) {
        setView(result.value);
        setDraft(result.value.settings);
      } else setNotice({ tone: 'fail', text: describeError(t, result.error) });
    });
  }, [api, t]);

  const problems = useMemo(() => (draft ? validateEndpointSettings(draft) : []), [draft]);
  const port = readNumberText(portText ?? String(draft?.port ?? ''), { min: 1, max: 65535 });
  const errors = problems.filter((problem) => problem.severity === 'error').length + (port.ok ? 0 : 1);
  const dirty = draft !== null && view !== null && (JSON.stringify(draft) !== JSON.stringify(view.settings) || secret.kind !== 'keep' || keepForNewAddress || (portText !== null && portText !== String(draft.port)));
  useUnsavedChanges('settings', dirty);
  if (!draft || !view) return notice ? <p className={`banner banner-${notice.tone}`}>{notice.text}</p> : null;
  // A kept secret stays with the address it was entered for: after a change it must be entered again or confirmed.
  const secretElsewhere = draft.adapter === 'http' && draft.preset !== 'local-training' && view.secret.stored && secret.kind === 'keep' && (!view.secret.forThisAddress || secretEndpointOf(draft) !== secretEndpointOf(view.settings));

  const update = (patch: Partial<EndpointSettings>) => {
    setNotice(null);
    if (patch.port !== undefined) setPortText(null);
    setDraft((previous) => (previous ? { ...previous, ...patch } : previous));
  };
  const tell = (next: { tone: 'pass' | 'warn' | 'fail'; text: string }) => {
    setNotice(next);
    focusWhenPainted(() => noticeRef.current);
  };
  const problemsOf = (...fields: Field[]) => problems.filter((problem) => fields.includes(problem.field));
  const applyFix = (problem: SettingsProblem) => {
    if (problem.code === 'private-api-suffix') update({ apiAddress: String(problem.params['suggestion']) });
    if (problem.code === 'code-not-fpy') update({ code: 'FPY' });
    if (problem.code === 'scheme-port-mismatch') update({ port: Number(problem.params['want']) });
  };
  const showError = (error: AppErrorInfo) => tell({ tone: 'fail', text: describeError(t, error) });

  const save = async () => {
    if (errors > 0 || saving || !dirty) return;
    setSaving(true);
    const result = await api.endpoint.save({
      settings: draft,
      ...(secret.kind === 'replace' ? { clientSecret: secret.value } : secret.kind === 'clear' ? { clientSecret: null } : {}),
      ...(secretElsewhere && keepForNewAddress ? { keepSecretForNewAddress: true } : {}),
    });
    setSaving(false);
    if (!result.ok) return showError(result.error);
    setView(result.value);
    setDraft(result.value.settings);
    setSecret({ kind: 'keep' });
    setKeepForNewAddress(false);
    setPortText(null);
    // Only the station's scan point or scan user changed: the last passing check still holds, and says so.
    const holds = result.value.lastPreflight?.ok === true && !result.value.lastPreflight.stale;
    tell({ tone: 'pass', text: t(holds ? 'endpointSettings.savedCheckHolds' : 'endpointSettings.savedRecheck') });
    announceEndpointChange();
  };
  const exportProfile = async () => {
    const result = await api.endpoint.export();
    if (!result.ok) return showError(result.error);
    downloadBytes(result.value.text, result.value.fileName, 'application/json');
    tell({ tone: 'pass', text: t('endpointSettings.exported', { file: result.value.fileName }) });
  };
  const importProfile = async (file: File | undefined) => {
    if (!file) return;
    // A profile is a few KB; anything near the channel's limit is the wrong file.
    if (file.size > 256 * 1024) return tell({ tone: 'fail', text: t('errors.file-too-large', { name: file.name, size: `${Math.ceil(file.size / 1024)} KB`, limit: '256 KB' }) });
    const result = await api.endpoint.parseProfile({ text: await file.text(), name: file.name });
    if (!result.ok) return showError(result.error);
    if (dirty && !(await ask({ title: t('endpointSettings.discardTitle'), body: t('endpointSettings.discardImport', { name: file.name }), confirm: t('endpointSettings.discardConfirm') }))) return;
    setDraft(result.value.settings);
    setPortText(null);
    tell({ tone: result.value.problems.some((problem) => problem.severity === 'error') ? 'fail' : 'warn', text: t('endpointSettings.importedReview', { name: file.name }) });
  };
  const loadCa = async (file: File | undefined) => {
    if (!file) return;
    // A PEM is small text; anything else is caught by the ca-not-pem rule right away.
    update({ caCertificatePem: (await file.slice(0, 64_000).text()).trim() });
  };

  const text = (field: 'profileName' | 'host' | 'apiAddress' | 'code' | 'clientId' | 'taxNumber' | 'stationId' | 'scanPoint' | 'scanUser' | 'proxy' | 'folderPath', options: { mono?: boolean; wide?: boolean; placeholder?: string } = {}): ReactNode => (
    <label className={options.wide ? 'wide' : undefined}>
      {t(`endpointSettings.fields.${field}`)}
      <input
        type="text"
        className={options.mono ? 'mono' : undefined}
        value={draft[field] ?? ''}
        placeholder={options.placeholder}
        spellCheck={false}
        aria-invalid={problemsOf(field).some((problem) => problem.severity === 'error')}
        data-testid={`endpoint-${field}`}
        onChange={(event) => {
          const value = event.currentTarget.value;
          update({ [field]: (field === 'proxy' || field === 'folderPath' || field === 'scanPoint' || field === 'scanUser') && value === '' ? undefined : value });
        }}
      />
      <FieldProblems problems={problemsOf(field)} onApply={applyFix} />
    </label>
  );

  const last = view.lastPreflight;
  return (
    <section
      className="panel"
      aria-labelledby="endpoint-settings-title"
      onKeyDown={(event) => {
        // Ctrl+S saves, as everywhere else on a desk PC.
        if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
          event.preventDefault();
          void save();
        }
      }}
    >
      {dialog}
      <h2 id="endpoint-settings-title">{t('endpointSettings.title')}</h2>
      <p className="muted">{t('endpointSettings.intro')}</p>

      <h3>{t('connectionPage.preset')}</h3>
      <div className="radio-row" role="radiogroup" aria-label={t('connectionPage.preset')}>
        {environmentPresets.map((preset) => (
          <label key={preset} className={`radio-card${draft.preset === preset ? ' selected' : ''}`}>
            <input type="radio" name="preset" value={preset} checked={draft.preset === preset} data-testid={`preset-${preset}`} onChange={() => update(switchPreset(draft, preset, (id) => t(`connectionPage.presets.${id}`)))} />
            {t(`connectionPage.presets.${preset}`)}
          </label>
        ))}
      </div>

      <h3>{t('endpointSettings.adapter')}</h3>
      <div className="radio-row" role="radiogroup" aria-label={t('endpointSettings.adapter')}>
        {(['http', 'folder'] as const).map((adapter) => (
          <label key={adapter} className={`radio-card${draft.adapter === adapter ? ' selected' : ''}`}>
            <input type="radio" name="adapter" value={adapter} checked={draft.adapter === adapter} data-testid={`adapter-${adapter}`} onChange={() => update({ adapter })} />
            {t(`endpointSettings.adapters.${adapter}`)}
          </label>
        ))}
      </div>

      <div className="form-grid endpoint-form">
        {text('profileName')}
        {text('stationId')}
        {/* This station's own, as the ERP names them (影像映射维护): kept here, never exported with the profile. */}
        {text('scanPoint', { placeholder: t('endpointSettings.scanPointHint') })}
        {text('scanUser', { placeholder: t('endpointSettings.scanUserHint') })}
        {draft.adapter === 'folder' ? (
          text('folderPath', { mono: true, wide: true, placeholder: '\\\\fileserver\\scans' })
        ) : (
          <>
            {text('apiAddress', { mono: true, wide: true, placeholder: 'http://10.1.2.3:8080/api' })}
            {text('host', { mono: true })}
            <div className="pair">
              <label>
                {t('endpointSettings.fields.scheme')}
                <select value={draft.scheme} data-testid="endpoint-scheme" onChange={(event) => update({ scheme: event.currentTarget.value as EndpointSettings['scheme'] })}>
                  <option value="http">http</option>
                  <option value="https">https</option>
                </select>
              </label>
              <TextField
                label={t('endpointSettings.fields.port')}
                value={portText ?? String(draft.port)}
                inputMode="numeric"
                testId="endpoint-port"
                error={port.ok ? null : t(port.key, port.params)}
                onChange={(text) => {
                  setNotice(null);
                  setPortText(text);
                  const read = readNumberText(text, { min: 1, max: 65535 });
                  if (read.ok) setDraft((previous) => (previous ? { ...previous, port: read.value } : previous));
                }}
              />
              <FieldProblems problems={problemsOf('port')} onApply={applyFix} />
            </div>
            {text('code', { mono: true })}
            <label>
              {t('connectionPage.mode')}
              <select value={draft.mode} data-testid="endpoint-mode" onChange={(event) => update({ mode: event.currentTarget.value as EndpointSettings['mode'] })}>
                {imagingModes.map((mode) => (
                  <option key={mode} value={mode}>
                    {t(`connectionPage.modes.${mode}`)}
                  </option>
                ))}
              </select>
              <FieldProblems problems={problemsOf('mode')} onApply={applyFix} />
            </label>
            {text('clientId', { mono: true })}
            <label>
              {t('endpointSettings.fields.clientSecret')}
              <input
                type="password"
                autoComplete="new-password"
                value={secret.kind === 'replace' ? secret.value : ''}
                placeholder={secret.kind === 'clear' ? t('endpointSettings.secretWillClear') : draft.preset === 'local-training' ? t('endpointSettings.secretTraining') : view.secret.stored ? t('endpointSettings.secretStored') : t('endpointSettings.secretMissing')}
                data-testid="endpoint-secret"
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  setNotice(null);
                  setSecret(value === '' ? { kind: 'keep' } : { kind: 'replace', value });
                }}
              />
              {secretElsewhere && (
                <span className="field-warning" data-testid="endpoint-secret-elsewhere">
                  {t('endpointSettings.secretOtherAddress')}
                  <label className="inline-check">
                    <input type="checkbox" checked={keepForNewAddress} data-testid="endpoint-secret-keep" onChange={(event) => setKeepForNewAddress(event.currentTarget.checked)} />
                    {t('endpointSettings.secretKeepForNew')}
                  </label>
                </span>
              )}
              <span className="hint">
                {t(`endpointSettings.protection.${view.secret.protection}`)}
                {view.secret.stored && secret.kind !== 'clear' && (
                  <button type="button" className="link-button" onClick={() => setSecret({ kind: 'clear' })}>
                    {t('endpointSettings.clearSecret')}
                  </button>
                )}
              </span>
            </label>
            {text('taxNumber', { mono: true })}
            {text('proxy', { mono: true, placeholder: 'http://proxy.example:8080' })}
            <div className="wide">
              <span className="label-text">{t('endpointSettings.fields.caCertificatePem')}</span>
              <div className="actions">
                <span className={draft.caCertificatePem ? 'pill pill-pass' : 'pill pill-skipped'}>{draft.caCertificatePem ? t('endpointSettings.caLoaded') : t('endpointSettings.caNone')}</span>
                <button type="button" onClick={() => caRef.current?.click()}>
                  {t('endpointSettings.caPick')}
                </button>
                {draft.caCertificatePem && (
                  <button type="button" onClick={() => update({ caCertificatePem: undefined })}>
                    {t('endpointSettings.caRemove')}
                  </button>
                )}
                <input ref={caRef} type="file" accept=".pem,.crt,.cer" hidden data-testid="endpoint-ca-file" onChange={(event) => void loadCa(event.currentTarget.files?.[0])} />
              </div>
              <FieldProblems problems={problemsOf('caCertificatePem')} onApply={applyFix} />
            </div>
          </>
        )}
        <label>
          {t('endpointSettings.fields.scanDpi')}
          <select value={draft.scanDpi} data-testid="endpoint-dpi" onChange={(event) => update({ scanDpi: Number(event.currentTarget.value) })}>
            {[150, 200, 300, 400, 600].map((dpi) => (
              <option key={dpi} value={dpi}>
                {dpi} dpi
              </option>
            ))}
          </select>
          <FieldProblems problems={problemsOf('scanDpi')} onApply={applyFix} />
        </label>
      </div>

      {draft.adapter === 'http' && (
        <details className="advanced">
          <summary>{t('endpointSettings.paths')}</summary>
          <p className="muted">{t('endpointSettings.pathsIntro')}</p>
          <div className="form-grid">
            {pathNames.map((name) => (
              <label key={name}>
                {t(`endpointSettings.pathNames.${name}`)}
                <input
                  type="text"
                  className="mono"
                  spellCheck={false}
                  value={draft.httpPaths?.[name] ?? ''}
                  placeholder={defaultImagingPaths[name]}
                  onChange={(event) => {
                    const value = event.currentTarget.value.trim();
                    const { [name]: _old, ...others } = draft.httpPaths ?? {};
                    const next = value ? { ...others, [name]: value } : others;
                    update({ httpPaths: Object.keys(next).length ? next : undefined });
                  }}
                />
              </label>
            ))}
          </div>
          <FieldProblems problems={problemsOf('httpPaths')} onApply={applyFix} />
        </details>
      )}

      <div className="sticky-actions">
        {/* Results of Save, export and import appear here, beside the buttons, in view. */}
        {notice && (
          <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="endpoint-notice">
            {notice.text}
          </p>
        )}
        <div className="actions">
        <button type="button" className="primary" disabled={!dirty || errors > 0 || saving} onClick={() => void save()} data-testid="endpoint-save" aria-keyshortcuts="Control+S">
          {saving ? t('endpointSettings.saving') : t('endpointSettings.save')} <kbd className="key-hint">Ctrl+S</kbd>
        </button>
        {errors > 0 && <span className="pill pill-fail">{t('endpointSettings.errorsBlockSave', { count: errors })}</span>}
        {dirty && errors === 0 && <span className="pill pill-warn" data-testid="endpoint-unsaved">{t('app.unsavedHint')}</span>}
        {!dirty && errors === 0 && <span className="muted">{t('endpointSettings.noChanges')}</span>}
        </div>
      </div>
      {/* Not about saving: kept out of the sticky bar so it stays one row high at 1024×700. */}
      <div className="actions">
        <button type="button" onClick={() => void exportProfile()} data-testid="endpoint-export">
          {t('endpointSettings.export')}
        </button>
        <button type="button" onClick={() => importRef.current?.click()}>
          {t('endpointSettings.import')}
        </button>
        <input ref={importRef} type="file" accept=".json,application/json" hidden data-testid="endpoint-import-file" onChange={(event) => void importProfile(event.currentTarget.files?.[0])} />
        <button type="button" onClick={onOpenConnection} data-testid="endpoint-open-connection">
          {t('endpointSettings.openConnection')}
        </button>
      </div>
      <p className="muted" data-testid="endpoint-last-preflight">
        {last === null
          ? t('cli.config.lastNone')
          : t(last.stale ? 'cli.config.lastStale' : last.ok ? 'cli.config.lastOk' : 'cli.config.lastFailed', { at: formatDateTime(last.at, i18n.language), steps: last.failed.map((id) => t(`preflight.steps.${id}`)).join(', ') })}
      </p>
    </section>
  );
}
