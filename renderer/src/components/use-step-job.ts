import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppErrorInfo, Result } from '../../../electron/shared/error-codes.js';
import type { EventPayload } from '../../../electron/shared/ipc-contract.js';
import { useApi } from '../api/api-context.js';

/** The event channels that report one finished step of a job. */
type StepEvent = 'diagnose:progress' | 'endpoint:preflightStep';
type StepOf<E extends StepEvent> = EventPayload<E>['step'];

/**
 * Runs a step-by-step job (self-check, preflight): a fresh job id, live steps from its progress
 * event (other jobs' events ignored), then the final steps from the result.
 */
export function useStepJob<E extends StepEvent, R extends { steps: StepOf<E>[] }>(event: E, start: (jobId: string) => Promise<Result<R>>) {
  const api = useApi();
  const [running, setRunning] = useState(false);
  const [steps, setSteps] = useState<StepOf<E>[]>([]);
  const [total, setTotal] = useState(0);
  const [result, setResult] = useState<R | null>(null);
  const [error, setError] = useState<AppErrorInfo | null>(null);
  const jobRef = useRef<string | null>(null);

  useEffect(
    () =>
      api.on(event, (progress: EventPayload<StepEvent>) => {
        if (progress.jobId !== jobRef.current) return;
        const step = progress.step as StepOf<E>;
        setTotal(progress.total);
        setSteps((previous) => [...previous.filter((candidate) => candidate.id !== step.id), step]);
      }),
    [api, event],
  );

  const run = useCallback(async () => {
    const jobId = crypto.randomUUID();
    jobRef.current = jobId;
    setRunning(true);
    setSteps([]);
    setResult(null);
    setError(null);
    const outcome = await start(jobId);
    setRunning(false);
    if (outcome.ok) {
      setResult(outcome.value);
      setSteps(outcome.value.steps);
      setTotal(outcome.value.steps.length);
    } else setError(outcome.error);
  }, [start]);

  return { running, steps, total, result, error, run };
}
