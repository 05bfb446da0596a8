import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import type { ValueOf } from '../../../../electron/shared/ipc-contract.js';
import { maxScanFieldLength } from '../../../../electron/shared/imaging/erp-image-state.js';
import { useApi } from '../../api/api-context.js';
import { endpointChangedEvent } from '../../api/endpoint-events.js';
import { describeError } from '../../api/error-text.js';
import { focusWhenPainted } from '../../components/focus.js';

type ScanUserView = ValueOf<'scanDesk:scanUser'>;

/**
 * The Scan desk's "扫描人 / Scanned by" line: who the bills taken in from now on are recorded as
 * scanned by (the clerk signed in, else the station's scan user) and at which scan point; a clerk
 * signs in with their ERP scan user id (kept across restarts until signed out). Keyboard-driven:
 * "Sign in" opens the field, Enter signs in, Escape goes back to the button.
 */
export function ScanUserControl() {
  const { t } = useTranslation();
  const api = useApi();
  const [view, setView] = useState<ScanUserView | null>(null);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<AppErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  const load = useCallback(() => {
    void api.scanDesk.scanUser().then((result) => {
      if (result.ok) setView(result.value);
    });
  }, [api]);
  useEffect(load, [load]);
  // The scan point and the station's scan user are set in Settings: read again after a save.
  useEffect(() => {
    window.addEventListener(endpointChangedEvent, load);
    return () => window.removeEventListener(endpointChangedEvent, load);
  }, [load]);

  // The field takes the focus as it appears (before the next key), so an id typed or scanned right after Enter loses no character.
  useLayoutEffect(() => {
    if (editing) inputRef.current?.focus();
  }, [editing]);
  const backToButton = () => focusWhenPainted(() => buttonRef.current);
  const open = () => {
    setText('');
    setError(null);
    setEditing(true);
    focusWhenPainted(() => inputRef.current);
  };
  const cancel = () => {
    setEditing(false);
    setError(null);
    backToButton();
  };
  const send = async (scanUser: string | null) => {
    if (busy) return;
    setBusy(true);
    const result = await api.scanDesk.signIn({ scanUser });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      focusWhenPainted(() => inputRef.current);
      return;
    }
    setView(result.value);
    setEditing(false);
    setError(null);
    backToButton();
  };

  const who = view?.signedIn ?? view?.stationUser ?? null;
  return (
    <div className="scan-user-bar" data-testid="desk-scan-user" role="group" aria-label={t('scanDeskPage.scanUser.label')}>
      <span className="scan-user-label">{t('scanDeskPage.scanUser.label')}</span>
      <strong data-testid="desk-scan-user-name">
        <bdi>{who ?? t('scanDeskPage.scanUser.nobody')}</bdi>
      </strong>
      {who !== null && <span className="muted">{t(view?.signedIn ? 'scanDeskPage.scanUser.signedIn' : 'scanDeskPage.scanUser.stationDefault')}</span>}
      <span className="muted" data-testid="desk-scan-point">
        · {view?.scanPoint ? t('scanDeskPage.scanUser.point', { point: view.scanPoint }) : t('scanDeskPage.scanUser.noPoint')}
      </span>
      {editing ? (
        <span className="scan-user-form">
          <input
            ref={inputRef}
            type="text"
            value={text}
            maxLength={maxScanFieldLength * 2}
            spellCheck={false}
            autoComplete="off"
            placeholder={t('scanDeskPage.scanUser.placeholder')}
            aria-label={t('scanDeskPage.scanUser.placeholder')}
            aria-invalid={error !== null}
            data-testid="desk-scan-user-input"
            onChange={(event) => {
              setText(event.currentTarget.value);
              setError(null);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                if (text.trim() !== '' && !busy) void send(text);
              }
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                cancel();
              }
            }}
          />
          <button type="button" className="primary" disabled={busy || text.trim() === ''} data-testid="desk-scan-user-confirm" onClick={() => void send(text)}>
            {t('scanDeskPage.scanUser.confirm')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={cancel}>
            {t('scanDeskPage.scanUser.cancel')}
          </button>
        </span>
      ) : view?.signedIn ? (
        <button ref={buttonRef} type="button" className="secondary" aria-disabled={busy} data-testid="desk-scan-user-sign-out" onClick={() => void send(null)}>
          {t('scanDeskPage.scanUser.signOut')}
        </button>
      ) : (
        <button ref={buttonRef} type="button" className="secondary" data-testid="desk-scan-user-sign-in" onClick={open}>
          {t('scanDeskPage.scanUser.signIn')}
        </button>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid="desk-scan-user-error">
          {describeError(t, error)}
        </span>
      )}
    </div>
  );
}
