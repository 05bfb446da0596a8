// What is still unsent, in words: the queue's "nothing to send" must not hide bills that wait for a person or to be sent.
import type { TFunction } from 'i18next';
import type { StationCounts } from '../../../../electron/shared/station/bill-status.js';

/** What is still unsent, in the one model's words and to-do order: "2 张需要处理、1 张待审核". */
export function describeWaiting(t: TFunction, station: StationCounts): string {
  return (['held', 'review', 'receiving', 'ready', 'sending'] as const)
    .filter((part) => station[part] > 0)
    .map((part) => t(`billStatus.counts.${part}`, { count: station[part] }))
    .join(t('common.listSeparator'));
}
