// The Connection page's state: the station's endpoint as saved, and the preflight run step by step.
import { useCallback, useEffect, useState } from 'react';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { useApi } from '../../api/api-context.js';
import { announceEndpointChange } from '../../api/endpoint-events.js';
import { focusWhenPainted } from '../../components/focus.js';
import { useStepJob } from '../../components/use-step-job.js';
import type { EndpointView } from './preflight-text.js';

/**
 * Holds the endpoint (read at once, read again after each check) and the preflight: its live
 * steps, its verdict, and the error of either; after a run the verdict or the error takes the focus.
 */
export function usePreflight() {
  const api = useApi();
  const [info, setInfo] = useState<EndpointView | null>(null);
  const [settingsError, setSettingsError] = useState<AppErrorInfo | null>(null);
  const start = useCallback((jobId: string) => api.endpoint.preflight({ jobId }), [api]);
  const job = useStepJob('endpoint:preflightStep', start);
  const { running, steps } = job;
  const verdict = job.result ? job.result.ok : null;
  const error = job.error ?? settingsError;

  const refresh = useCallback(() => {
    void api.endpoint.settings().then((result) => (result.ok ? setInfo(result.value) : setSettingsError(result.error)));
  }, [api]);
  useEffect(refresh, [refresh]);

  const run = async () => {
    await job.run();
    refresh();
    announceEndpointChange();
    // The verdict (or the error) is where the eye and the keyboard go next.
    focusWhenPainted(() => document.querySelector<HTMLElement>('[data-testid="preflight-verdict"], [data-testid="preflight-error"]'));
  };

  return { info, running, steps, verdict, error, run };
}

/** The endpoint and the preflight, as the page's parts read them. */
export type Preflight = ReturnType<typeof usePreflight>;
