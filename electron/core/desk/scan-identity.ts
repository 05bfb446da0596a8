import path from 'node:path';
import type { EndpointSettings } from '../../shared/endpoint/endpoint-settings.js';
import { describePayload } from '../../shared/display-text.js';
import { maxScanFieldLength } from '../../shared/imaging/erp-image-state.js';
import { findScanFieldFault, normalizeScanField, type StackScan } from '../../shared/station/scan-fields.js';
import { endpointSettingsFileName, readEndpointSettings } from '../endpoint/settings-file.js';
import { CoreError } from '../base/errors.js';
import type { Logger } from '../log/logger.js';
import type { PrefsStore } from '../prefs/prefs-store.js';

export type { StackScan } from '../../shared/station/scan-fields.js';

/** Who scans at this desk now: the clerk signed in, the station's own scan user, and its scan point. */
export interface ScanUserView {
  /** The clerk's scan user id, signed in at the Scan desk (kept across restarts until signed out). */
  signedIn: string | null;
  /** The station's scan user id (Settings), used when nobody is signed in. */
  stationUser: string | null;
  /** The station's scan point (Settings). */
  scanPoint: string | null;
}

/** The desk's scanner: read at every intake (a stack keeps what it was then), signed in and out by clerks. */
export interface ScanIdentity {
  /** Who scans where now, as a stack taken in now records it. */
  current(): Promise<StackScan>;
  /** The signed-in clerk and the station's defaults, for the desk's "扫描人" control. */
  view(): Promise<ScanUserView>;
  /** Signs a clerk in by their ERP scan user id (trimmed; null or empty: signs out); refuses `scan-user-invalid`. */
  signIn(user: string | null): Promise<ScanUserView>;
}

/** A value from a file a person may have edited: kept only when the ERP could keep it. */
const usable = (value: string | null | undefined): string | null => {
  const normalized = normalizeScanField(value);
  return normalized !== null && findScanFieldFault(normalized) === null ? normalized : null;
};

/**
 * Creates the desk's scanner over the preferences (the signed-in clerk: per person, not part of the
 * endpoint profile) and the station's profile in `dataDir` (scan point and station scan user).
 */
export function createScanIdentity(options: { dataDir: string; prefs: PrefsStore; log: Logger; readStation?: () => Promise<Pick<EndpointSettings, 'scanPoint' | 'scanUser'>> }): ScanIdentity {
  const readStation = options.readStation ?? (() => readEndpointSettings(path.join(options.dataDir, endpointSettingsFileName), { missingIsDefault: true }));
  const view = async (): Promise<ScanUserView> => {
    // A damaged profile must not stop scanning: the stack then records no scan point.
    const station = await readStation().catch((error: unknown) => {
      options.log.warn('scan-identity.profile-unreadable', { reason: error instanceof CoreError ? error.code : String(error) });
      return {} as Pick<EndpointSettings, 'scanPoint' | 'scanUser'>;
    });
    const prefs = await options.prefs.readPrefs();
    return { signedIn: usable(prefs.scanUser), stationUser: usable(station.scanUser), scanPoint: usable(station.scanPoint) };
  };
  return {
    view,
    async current() {
      const now = await view();
      return { user: now.signedIn ?? now.stationUser, point: now.scanPoint };
    },
    async signIn(user) {
      const normalized = normalizeScanField(user);
      if (normalized !== null && findScanFieldFault(normalized) !== null) throw new CoreError('scan-user-invalid', { value: describePayload(normalized.slice(0, 200)), max: maxScanFieldLength });
      await options.prefs.updatePrefs({ scanUser: normalized ?? undefined });
      options.log.info(normalized ? 'desk.scan-user-signed-in' : 'desk.scan-user-signed-out', {});
      return view();
    },
  };
}
