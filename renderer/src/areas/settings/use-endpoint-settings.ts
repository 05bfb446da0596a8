// The endpoint settings being edited: the stored view, the draft, the secret's edit, validation, the notice line and Save.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { secretEndpointOf, validateEndpointSettings, type EndpointSettings, type SettingsProblem } from '../../../../electron/shared/endpoint/endpoint-settings.js';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { useApi } from '../../api/api-context.js';
import { announceEndpointChange } from '../../api/endpoint-events.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';
import { readNumberText } from '../../components/number-text.js';
import { useUnsavedChanges } from '../../state/unsaved-changes.js';

/** The endpoint settings as stored: the settings, the secret's state, the last connection check. */
export type EndpointView = ValueOf<'endpoint:settings'>;
/** One field of the endpoint settings. */
export type EndpointField = keyof EndpointSettings;
/** What the secret field will do on save: keep the stored one, replace it, or remove it. */
export type SecretEdit = { kind: 'keep' } | { kind: 'replace'; value: string } | { kind: 'clear' };
/** What the panel's notice line says, and in what colour. */
export type EndpointNotice = { tone: 'pass' | 'warn' | 'fail'; text: string };

/**
 * Holds the endpoint form: loaded once (coming back to the page must not replace unsaved edits),
 * checked as typed with the rules core applies, saved with the secret's edit; `dirty` guards leaving.
 */
export function useEndpointSettings() {
  const { t } = useTranslation();
  const api = useApi();
  const [view, setView] = useState<EndpointView | null>(null);
  const [draft, setDraft] = useState<EndpointSettings | null>(null);
  const [secret, setSecret] = useState<SecretEdit>({ kind: 'keep' });
  // The person's explicit yes to letting the stored secret sign for a changed address.
  const [keepForNewAddress, setKeepForNewAddress] = useState(false);
  const [notice, setNotice] = useState<EndpointNotice | null>(null);
  const [saving, setSaving] = useState(false);
  // The port as typed: "" or "80a" stay on screen with a message, never snapped to a number.
  const [portText, setPortText] = useState<string | null>(null);
  const noticeRef = useRef<HTMLParagraphElement>(null);

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
  // A kept secret stays with the address it was entered for: after a change it must be entered again or confirmed.
  const secretElsewhere = draft !== null && view !== null && draft.adapter === 'http' && draft.preset !== 'local-training' && view.secret.stored && secret.kind === 'keep' && (!view.secret.forThisAddress || secretEndpointOf(draft) !== secretEndpointOf(view.settings));

  const update = (patch: Partial<EndpointSettings>) => {
    setNotice(null);
    if (patch.port !== undefined) setPortText(null);
    setDraft((previous) => (previous ? { ...previous, ...patch } : previous));
  };
  const tell = (next: EndpointNotice) => {
    setNotice(next);
    focusWhenPainted(() => noticeRef.current);
  };
  const problemsOf = (...fields: EndpointField[]) => problems.filter((problem) => fields.includes(problem.field));
  const applyFix = (problem: SettingsProblem) => {
    if (problem.code === 'private-api-suffix') update({ apiAddress: String(problem.params['suggestion']) });
    if (problem.code === 'code-not-fpy') update({ code: 'FPY' });
    if (problem.code === 'scheme-port-mismatch') update({ port: Number(problem.params['want']) });
  };
  const showError = (error: AppErrorInfo) => tell({ tone: 'fail', text: describeError(t, error) });

  const save = async () => {
    if (!draft || errors > 0 || saving || !dirty) return;
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

  return { view, setView, draft, setDraft, secret, setSecret, keepForNewAddress, setKeepForNewAddress, notice, setNotice, noticeRef, saving, portText, setPortText, problems, port, errors, dirty, secretElsewhere, update, tell, problemsOf, applyFix, showError, save };
}

/** The endpoint form's state and actions, as the panel's parts read them. */
export type EndpointSettingsState = ReturnType<typeof useEndpointSettings>;
