// Where stacks come in on the scan desk: the drop zone, the progress of the files being taken in, and the desk's notice line.
import type { RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { DropZone } from '../../components/drop-zone.js';
import { ProgressBar } from '../../components/progress-bar.js';
import type { DeskNotice } from './use-desk-notice.js';
import type { TakeInProgress } from './use-take-in.js';

/** The drop zone with its progress, and below it the notice that says what the last action did. */
export function TakeInPanel({ progress, onFiles, notice, noticeRef }: { progress: TakeInProgress | null; onFiles: (files: File[]) => void; notice: DeskNotice | null; noticeRef: RefObject<HTMLParagraphElement | null> }) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <DropZone text={t('scanDeskPage.drop')} busy={progress !== null} onFiles={onFiles} testId="desk-drop-zone" inputTestId="desk-file-input" />
      {progress && <ProgressBar value={progress.file - 1} max={progress.files} label={t('scanDeskPage.taking', progress)} />}
      {progress && <p className="muted">{t('scanDeskPage.taking', progress)}</p>}
      {notice && (
        <p ref={noticeRef} tabIndex={-1} className={`banner banner-${notice.tone}`} role={notice.tone === 'fail' ? 'alert' : 'status'} data-testid="desk-notice">
          {notice.text(t)}
        </p>
      )}
    </section>
  );
}
