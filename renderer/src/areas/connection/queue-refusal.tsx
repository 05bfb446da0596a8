// The queue's refusal on the Connection page: when the imaging system refused this station, the server's words where it is fixed.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../../api/api-context.js';
import { describeCode } from '../../api/error-text.js';

/**
 * When the imaging system refused this station mid-upload, the queue pauses; this page is where it is
 * fixed, so it says so here too, with the server's words (it resumes by itself once a check passes).
 */
export function QueueRefusal() {
  const { t } = useTranslation();
  const api = useApi();
  const [detail, setDetail] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const look = () =>
      void api.upload.status().then((result) => {
        if (stopped || !result.ok) return;
        const status = result.value;
        // The server's words go inside the sentence: without their own full stop.
        setDetail(status.state === 'paused' && status.reason === 'fix-settings' && status.detail ? describeCode(t, status.detail.code, status.detail.params).replace(/[。.]\s*$/, '') : null);
      });
    look();
    const timer = setInterval(look, 3000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, t]);
  if (!detail) return null;
  return (
    <p className="banner banner-fail" role="alert" data-testid="connection-queue-refused">
      {t('connectionPage.queueRefused', { detail })}
    </p>
  );
}
