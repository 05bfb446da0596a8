// The capture as the Scan desk drives it: the state read from core and followed by its pushes, the scanners, the settings, the actions.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppErrorInfo } from '../../../../electron/shared/error-codes.js';
import { useApi } from '../../api/api-context.js';
import { fitSettings, isRunning, type CaptureSettings, type CaptureState, type ScannerDevice } from './capture-text.js';

/** What the panel says after an action of the clerk's (added, removed, released) or why it failed. */
export type CaptureNotice = { tone: 'pass' | 'fail'; key: string; params?: Record<string, string | number> } | { tone: 'fail'; error: AppErrorInfo };

/** How a job ended as this panel saw it happen: the moment to move the eye (and focus) to the result. */
export type CaptureEnd = { jobId: string; phase: 'done' | 'cancelled' | 'failed'; stackId: string | null };

/**
 * The capture for the Scan desk. The state lives in core: read on mount (and when the desk is shown
 * again) and followed by `capture:changed`, so a scan keeps going while the clerk looks elsewhere.
 * `onEnd` is called once when a job this panel watched running ends (its stack made, cancelled, failed).
 */
export function useCapture({ onEnd, onStackMade }: { onEnd: (end: CaptureEnd) => void; onStackMade: (stackId: string) => void }) {
  const api = useApi();
  const [state, setState] = useState<CaptureState | null>(null);
  const [unavailable, setUnavailable] = useState<AppErrorInfo | null>(null);
  const [devices, setDevices] = useState<ScannerDevice[] | null>(null);
  const [settings, setSettings] = useState<CaptureSettings | null>(null);
  // The first look for scanners starts with the panel (it may take the discovery's few seconds).
  const [finding, setFinding] = useState(true);
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState(false);
  const [notice, setNotice] = useState<CaptureNotice | null>(null);
  const [released, setReleased] = useState<string | null>(null);
  const ends = useRef(onEnd);
  const made = useRef(onStackMade);
  useEffect(() => {
    ends.current = onEnd;
    made.current = onStackMade;
  }, [onEnd, onStackMade]);
  /** The job last seen running: its end is announced once, and only if seen running here. */
  const running = useRef<string | null>(null);

  const take = useCallback((next: CaptureState) => {
    setState(next);
    setUnavailable(null);
    const job = next.job;
    if (job && isRunning(job)) {
      running.current = job.id;
      return;
    }
    if (job && running.current === job.id && (job.phase === 'done' || job.phase === 'cancelled' || job.phase === 'failed')) {
      running.current = null;
      if (job.stackId) made.current(job.stackId);
      ends.current({ jobId: job.id, phase: job.phase, stackId: job.stackId });
    }
  }, []);

  useEffect(() => {
    let stopped = false;
    void api.capture.state().then((result) => {
      if (stopped) return;
      if (result.ok) take(result.value);
      else setUnavailable(result.error);
    });
    const unsubscribe = api.on('capture:changed', (next) => {
      if (!stopped) take(next);
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [api, take]);

  /** Reads the scanners and the settings again; `refresh` looks for scanners anew (the bar shows meanwhile). */
  const loadDevices = async (refresh: boolean) => {
    setFinding(true);
    const result = await api.capture.devices(refresh ? { refresh: true } : {});
    setFinding(false);
    if (!result.ok) return setNotice({ tone: 'fail', error: result.error });
    setDevices(result.value.devices);
    setSettings(result.value.settings);
  };
  useEffect(() => {
    let stopped = false;
    void api.capture.devices({}).then((result) => {
      if (stopped) return;
      setFinding(false);
      if (!result.ok) return;
      setDevices(result.value.devices);
      setSettings(result.value.settings);
    });
    return () => {
      stopped = true;
    };
  }, [api]);

  const save = async (next: CaptureSettings) => {
    setSettings(next);
    setSaved(false);
    const result = await api.capture.saveSettings(next);
    if (!result.ok) return setNotice({ tone: 'fail', error: result.error });
    setSettings(result.value);
    setSaved(true);
  };

  /** Picks a scanner, moving the settings onto what it offers. */
  const pick = async (id: string) => {
    if (!settings) return;
    await save(fitSettings({ ...settings, device: id }, devices?.find((device) => device.id === id)));
  };

  /**
   * Adds a scanner by address (checked by reading it) and picks it: its id, or why it could not be
   * added (said under the address field, where the clerk typed it, not on the panel's notice line).
   */
  const addDevice = async (address: string): Promise<{ id: string } | { error: AppErrorInfo }> => {
    setAdding(true);
    setNotice(null);
    const result = await api.capture.addDevice({ address });
    setAdding(false);
    if (!result.ok) return { error: result.error };
    const device = result.value;
    setDevices((list) => [...(list ?? []).filter((known) => known.id !== device.id), device]);
    setNotice({ tone: 'pass', key: 'capture.devices.added', params: { name: device.name } });
    if (settings) await save(fitSettings({ ...settings, device: device.id }, device));
    return { id: device.id };
  };

  const removeDevice = async (device: ScannerDevice) => {
    const result = await api.capture.removeDevice({ id: device.id });
    if (!result.ok) return setNotice({ tone: 'fail', error: result.error });
    setNotice({ tone: 'pass', key: 'capture.devices.removed', params: { name: device.name } });
    await loadDevices(false);
  };

  /**
   * Starts a scan (or continues an interrupted one): 'started' once under way; 'failed' when the
   * scanner refused it and the job says why (feeder empty, jam: said once, by the job's result);
   * 'refused' when no job came of it (no scanner, one running already: said on the notice line).
   */
  const start = async (into?: string): Promise<'started' | 'failed' | 'refused'> => {
    setNotice(null);
    setReleased(null);
    const result = await api.capture.start(into ? { into } : {});
    if (result.ok) {
      take(result.value);
      return 'started';
    }
    const fresh = await api.capture.state();
    if (fresh.ok) {
      setState(fresh.value);
      const job = fresh.value.job;
      if (job?.phase === 'failed' && job.error?.code === result.error.code) return 'failed';
    }
    setNotice({ tone: 'fail', error: result.error });
    return 'refused';
  };

  const cancel = async () => {
    const result = await api.capture.cancel();
    if (!result.ok) return setNotice({ tone: 'fail', error: result.error });
    take(result.value);
  };

  /** Closes an interrupted scan into a stack with what came; true when it did. */
  const release = async (batchId: string): Promise<boolean> => {
    setNotice(null);
    const result = await api.capture.release({ batchId });
    if (!result.ok) {
      setNotice({ tone: 'fail', error: result.error });
      return false;
    }
    setReleased(result.value.stackId ?? '');
    if (result.value.stackId) made.current(result.value.stackId);
    // The interrupted list changes with it: read it now rather than wait for the push.
    const fresh = await api.capture.state();
    if (fresh.ok) take(fresh.value);
    return true;
  };

  return { state, unavailable, devices, settings, finding, adding, saved, notice, released, loadDevices, save, pick, addDevice, removeDevice, start, cancel, release, setNotice };
}
