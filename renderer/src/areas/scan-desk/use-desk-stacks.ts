// The scan desk's stacks as the spool holds them, read when the page opens and again whenever the station changes.
import { useCallback, useEffect, useState } from 'react';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/error-text.js';
import type { Stack } from './desk-rows.js';
import type { DeskNotice } from './use-desk-notice.js';

/** The stacks and `refresh`, which reads them again and answers them (null when it failed, said on the notice line unless `quiet`). */
export function useDeskStacks(setNotice: (notice: DeskNotice) => void) {
  const api = useApi();
  const [stacks, setStacks] = useState<Stack[]>([]);

  /**
   * Reads the stacks again; answers them (null when it failed). `quiet` for looks nobody asked for
   * (the watched folder changed, the page opened): a lost service greys the figures instead of
   * raising an error the clerk did not cause.
   */
  const refresh = useCallback(
    (quiet = false): Promise<Stack[] | null> =>
      api.scanDesk.overview().then((result) => {
        if (result.ok) {
          setStacks(result.value.stacks);
          return result.value.stacks;
        }
        if (!quiet) setNotice({ tone: 'fail', text: (t) => describeError(t, result.error) });
        return null;
      }),
    [api, setNotice],
  );
  useEffect(() => {
    void refresh(true);
  }, [refresh]);
  // Pushed: the list follows the spool and the queue at once, not at the next look.
  useEffect(() => api.on('station:changed', () => void refresh()), [api, refresh]);
  return { stacks, refresh };
}
