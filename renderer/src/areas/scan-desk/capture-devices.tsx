// The desk's scanner and how it scans: the scanners found and typed with their state, "add by address", and the scan settings.
import { useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import { scanColors, scanResolutions, scanSources } from '../../../../electron/shared/capture/capture-types.js';
import type { TFunction } from 'i18next';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { describeCode, describeError } from '../../api/error-text.js';
import { TextField } from '../../components/field.js';
import { focusWhenPainted } from '../../components/focus.js';
import { offeredSettings, toneOfCondition, type CaptureSettings, type ScannerDevice } from './capture-text.js';

/** One scanner in the picker: its name, where it comes from, its state in clerk words; the device's own text for support only. */
function DeviceOption({ device, picked, onPick, onRemove }: { device: ScannerDevice; picked: boolean; onPick: () => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const condition = device.status?.condition ?? (device.error ? 'offline' : null);
  return (
    <li className={`capture-device${picked ? ' picked' : ''}`} data-testid="capture-device" data-device={device.id} data-condition={condition ?? undefined}>
      <label className="capture-device-pick">
        <input type="radio" name="capture-device" checked={picked} onChange={onPick} />
        <span className="capture-device-name">
          <bdi>{device.name}</bdi>
          <span className="muted"> · {t(`capture.devices.origin.${device.origin}`)}</span>
        </span>
      </label>
      {condition ? <span className={`pill pill-${toneOfCondition(condition) === 'pass' ? 'pass' : toneOfCondition(condition) === 'warn' ? 'warn' : 'fail'}`}>{t(`capture.conditions.${condition}`)}</span> : <span className="pill pill-skipped">{t('capture.devices.notRead')}</span>}
      {device.origin === 'typed' && (
        <button type="button" className="secondary small" data-testid="capture-device-remove" onClick={onRemove}>
          {t('capture.devices.remove')}
        </button>
      )}
      {device.error && <p className="fix">{describeCode(t, device.error.code, device.error.params)}</p>}
      {device.status?.detail && (
        <details className="support-details">
          <summary>{t('capture.details')}</summary>
          <code className="mono">{device.status.detail}</code>
        </details>
      )}
    </li>
  );
}

/** Why a typed address could not be added, in words about the address (the scan-time words say "press Scan again"). */
function describeAddError(t: TFunction, address: string, error: AppErrorInfo): string {
  const known = ['scanner-unreachable', 'scanner-bad-answer', 'scanner-not-found'];
  return known.includes(error.code) ? t(`capture.devices.addFailed.${error.code}`, { address }) : describeError(t, error);
}

/** A row of radio cards for one setting; the choices the picked scanner lacks are shown but not offered. */
function Choice<V extends string | number>({ legend, name, values, offered, value, label, onChange }: { legend: string; name: string; values: readonly V[]; offered: readonly V[]; value: V; label: (value: V) => string; onChange: (value: V) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="capture-choice" data-testid={`capture-${name}`}>
      <legend>{legend}</legend>
      <div className="radio-row">
        {values.map((option) => {
          const enabled = offered.includes(option);
          return (
            <label key={String(option)} className={`radio-card${enabled ? '' : ' disabled'}`} title={enabled ? undefined : t('capture.settings.notOffered')}>
              <input type="radio" name={`capture-${name}`} value={String(option)} checked={option === value} disabled={!enabled} onChange={() => onChange(option)} />
              {label(option)}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** The scanner picker, "add by address", refresh with its progress, and the desk's scan settings (saved as they change). */
export function CaptureDevices({ devices, settings, finding, adding, saved, onRefresh, onPick, onAdd, onRemove, onSave, addressRef }: {
  devices: ScannerDevice[] | null;
  settings: CaptureSettings | null;
  finding: boolean;
  adding: boolean;
  saved: boolean;
  onRefresh: () => void;
  onPick: (id: string) => void;
  onAdd: (address: string) => Promise<{ id: string } | { error: AppErrorInfo }>;
  onRemove: (device: ScannerDevice) => void;
  onSave: (settings: CaptureSettings) => void;
  addressRef: Ref<HTMLInputElement>;
}) {
  const { t } = useTranslation();
  const [address, setAddress] = useState('');
  // Why the address typed could not be added: said under the field, until the clerk types again.
  const [addError, setAddError] = useState<string | null>(null);
  const picked = devices?.find((device) => device.id === settings?.device) ?? null;
  const offered = offeredSettings(picked);
  const add = async () => {
    if (!address.trim() || adding) return;
    const typed = address.trim();
    const outcome = await onAdd(typed);
    if ('error' in outcome) {
      setAddError(describeAddError(t, typed, outcome.error));
      focusWhenPainted(() => document.querySelector<HTMLInputElement>('[data-testid="capture-address"]'));
      return;
    }
    const added = outcome.id;
    setAddError(null);
    setAddress('');
    // The Add button goes grey with the field emptied: the keyboard goes to the scanner just added.
    focusWhenPainted(() => document.querySelector<HTMLInputElement>(`[data-testid="capture-device"][data-device="${CSS.escape(added)}"] input`));
  };
  // Nothing found (or still looking): the address field first.
  const noneFound = devices === null || devices.length === 0;
  const addForm = (
    <>
      <form
        className="watch-form"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <TextField
          label={t('capture.devices.address')}
          hint={t('capture.devices.addressHint')}
          value={address}
          onChange={(text) => {
            setAddress(text);
            setAddError(null);
          }}
          error={addError}
          revealError
          mono
          testId="capture-address"
          placeholder="192.168.1.20"
          maxLength={2000}
          inputRef={addressRef}
        />
        <div className="actions">
          <button type="submit" className="primary" data-testid="capture-add" disabled={!address.trim()} aria-disabled={adding}>
            {t('capture.devices.add')}
          </button>
        </div>
      </form>
      {adding && (
        <p className="muted" role="status">
          {t('capture.devices.adding')}
        </p>
      )}
    </>
  );
  return (
    <div className="capture-setup" data-testid="capture-setup">
      <div className="capture-setup-col">
        <h3>{t('capture.devices.title')}</h3>
        {/* Nothing found yet: typing the address is the first thing to do, so it comes first (in view at 1024×700). */}
        {noneFound && addForm}
        <div className="capture-refresh">
          <button type="button" className="secondary small" data-testid="capture-refresh" onClick={() => !finding && onRefresh()} aria-disabled={finding}>
            {t('capture.devices.refresh')}
          </button>
          {finding && (
            <span className="capture-finding" role="status">
              <span className="progress progress-indeterminate" role="progressbar" aria-label={t('capture.devices.finding')} />
              <span className="muted">{t('capture.devices.finding')}</span>
            </span>
          )}
        </div>
        {devices && devices.length === 0 && <p className="muted">{t('capture.devices.none')}</p>}
        {devices && devices.length > 0 && (
          <ul className="capture-devices" aria-label={t('capture.devices.title')}>
            {devices.map((device) => (
              <DeviceOption key={device.id} device={device} picked={device.id === settings?.device} onPick={() => onPick(device.id)} onRemove={() => onRemove(device)} />
            ))}
          </ul>
        )}
        {!noneFound && addForm}
      </div>
      {settings && (
        <div className="capture-setup-col" data-testid="capture-settings">
          <h3>
            {t('capture.settings.title')} {saved && <span className="saved">✓ {t('capture.settings.saved')}</span>}
          </h3>
          <Choice legend={t('capture.settings.source')} name="source" values={scanSources} offered={offered.sources} value={settings.source} label={(value) => t(`capture.settings.sources.${value}`)} onChange={(source) => onSave({ ...settings, source })} />
          <Choice legend={t('capture.settings.dpi')} name="dpi" values={scanResolutions} offered={offered.resolutions} value={settings.dpi as (typeof scanResolutions)[number]} label={(value) => `${value} dpi`} onChange={(dpi) => onSave({ ...settings, dpi })} />
          <Choice legend={t('capture.settings.color')} name="color" values={scanColors} offered={offered.colors} value={settings.color} label={(value) => t(`capture.settings.colors.${value}`)} onChange={(color) => onSave({ ...settings, color })} />
        </div>
      )}
    </div>
  );
}
