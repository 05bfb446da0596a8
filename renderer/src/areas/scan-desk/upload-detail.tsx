import { useTranslation } from 'react-i18next';
import { describeCode } from '../../api/error-text.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { secondsUntil } from './countdown.js';
import type { QueueStatus } from './queue-panel.js';
import { formatDateTime } from '../../components/date-text.js';

/** One bill in the upload queue. */
export type Upload = QueueStatus['bills'][number];

/** The colour of each upload state's pill. */
export const uploadTone: Record<Upload['state'], 'pass' | 'warn' | 'fail' | 'skipped' | 'info'> = { queued: 'skipped', sending: 'info', waiting: 'warn', held: 'fail', done: 'pass' };

/** One bill's upload: progress (pages and bytes), why it waits or is held with what to do, and a done bill's receipts. */
export function UploadDetail({ upload, now, onAct }: { upload: Upload; now: number; onAct: (upload: Upload, action: 'retry-now' | 'hold' | 'resend') => void }) {
  const { t } = useTranslation();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
  return (
    <div className="upload-detail" data-testid="desk-upload-detail">
      <ProgressBar value={upload.sent} max={upload.pages} label={t('scanDeskPage.upload.progress', { sent: upload.sent, pages: upload.pages })} />
      <p className="muted">
        {t(`scanDeskPage.upload.states.${upload.state}`)} · {t('scanDeskPage.upload.progress', { sent: upload.sent, pages: upload.pages })} · {kb(upload.bytesSent)}
        {upload.attempts > 0 && ` · ${t('scanDeskPage.upload.attempts', { count: upload.attempts })}`}
      </p>
      {upload.state === 'waiting' && <WaitingBanner upload={upload} seconds={secondsUntil(upload.nextAttemptAt, now)} />}
      {upload.state === 'held' && upload.held && (
        <p className="banner banner-fail" data-testid="desk-upload-held">
          {upload.held.code === 'held-by-person' ? t('scanDeskPage.upload.heldByPerson') : describeCode(t, upload.held.code, upload.held.params)}
        </p>
      )}
      <div className="actions">
        {upload.state === 'waiting' && (
          <button type="button" className="secondary" data-testid="desk-upload-retry" onClick={() => onAct(upload, 'retry-now')}>
            {t('scanDeskPage.upload.retryNow')}
          </button>
        )}
        {upload.state === 'held' && (
          <button type="button" className="primary" data-testid="desk-upload-resend" onClick={() => onAct(upload, 'resend')}>
            {t('scanDeskPage.upload.resend')}
          </button>
        )}
        {(upload.state === 'queued' || upload.state === 'waiting') && (
          <button type="button" className="secondary" data-testid="desk-upload-hold" onClick={() => onAct(upload, 'hold')}>
            {t('scanDeskPage.upload.hold')}
          </button>
        )}
      </div>
      {upload.state === 'done' && upload.receipts.length > 0 && (
        <table className="receipts" data-testid="desk-receipts">
          <caption>{t('scanDeskPage.upload.receiptsTitle', { at: upload.closedAt ? formatDateTime(upload.closedAt) : '' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('scanDeskPage.upload.receiptPage')}</th>
              <th scope="col">{t('scanDeskPage.upload.receiptId')}</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {upload.receipts.map((receipt) => (
              <tr key={receipt.page}>
                <td>{receipt.page}</td>
                <td className="mono">{receipt.receiptId}</td>
                <td className="mono nowrap" title={receipt.sha256}>
                  {receipt.sha256.slice(0, 8)}…
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * Why a bill waits and when it is tried again: one countdown, the queue's. A cause that names its own
 * retry time (a busy server) is shown with the queue's, never with a second, different number.
 */
function WaitingBanner({ upload, seconds }: { upload: Upload; seconds: number }) {
  const { t } = useTranslation();
  const error = upload.lastError;
  const namesTime = error !== null && 'seconds' in error.params;
  const cause = error ? describeCode(t, error.code, namesTime ? { ...error.params, seconds } : error.params) : null;
  return (
    <p className="banner banner-warn" data-testid="desk-upload-waiting">
      {namesTime ? `${t('scanDeskPage.upload.lastFailed')}${cause}` : `${t('scanDeskPage.upload.waiting', { seconds })}${cause ? ` · ${cause}` : ''}`}
    </p>
  );
}
