/**
 * The ERP's own words for a bill's images (星瀚/苍穹 shared service, 影像映射维护, column 影像状态
 * `fimagestate`; NOTES.md "The ERP's image map"). The station and the reference server speak them so a
 * support person can line the station's story up with what the ERP page shows.
 */

/** The ERP's 影像状态 codes, one character each. */
export const erpImageStates = ['0', '1', '2', '3', '4', '5'] as const;

/** One 影像状态 code: 0 无影像, 1 上传影像中, 2 影像已就绪, 3 退回重扫, 4 影像重传, 5 废弃. */
export type ErpImageState = (typeof erpImageStates)[number];

/** The names the ERP page shows, verbatim (Chinese in every language: it is what the support person sees there). */
export const erpImageStateNames: Record<ErpImageState, string> = {
  '0': '无影像',
  '1': '上传影像中',
  '2': '影像已就绪',
  '3': '退回重扫',
  '4': '影像重传',
  '5': '废弃',
};

/** Whether a value is one of the ERP's 影像状态 codes. */
export function isErpImageState(value: unknown): value is ErpImageState {
  return typeof value === 'string' && (erpImageStates as readonly string[]).includes(value);
}

/** The status words of the imaging protocol (docs/imaging-protocol.md). */
export type ProtocolBillStatus = 'unknown' | 'open' | 'closed' | 'returned' | 'voided';

/**
 * The 影像状态 a bill in a protocol status is in: an open first round is 上传影像中, an open later
 * round (a rescan going up) is 影像重传. Used by the reference server, and by the station for an older
 * server that does not send `imageState`.
 */
export function imageStateOfStatus(status: ProtocolBillStatus, round: number): ErpImageState {
  switch (status) {
    case 'unknown':
      return '0';
    case 'open':
      return round > 1 ? '4' : '1';
    case 'closed':
      return '2';
    case 'returned':
      return '3';
    case 'voided':
      return '5';
  }
}

/** The ERP's image code column (`fimagenumber`) holds at most this many characters. */
export const maxImageCodeLength = 50;

/** The ERP's scan point (扫描点) and scan user id fields: at most this many characters here. */
export const maxScanFieldLength = 50;

/** A rescan reason (退扫原因, ERP master data): a code and a name of up to 50 characters. */
export interface RescanReason {
  code: string;
  name: string;
}
