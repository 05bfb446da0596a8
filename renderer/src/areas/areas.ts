import { areaIds } from '../../../electron/shared/ipc-contract.js';

/** An area of the app frame. */
export type AreaId = (typeof areaIds)[number];

/** Areas in navigation order; Alt+1…6 follow this order. */
export const areaOrder: readonly AreaId[] = areaIds;

/** Reads the area from a `#/areaId` hash, defaulting to the scan desk. */
export function areaFromHash(hash: string): AreaId {
  const candidate = hash.replace(/^#\/?/, '');
  return (areaOrder as readonly string[]).includes(candidate) ? (candidate as AreaId) : 'scanDesk';
}
