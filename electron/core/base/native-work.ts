// Work running on native threads (libjpeg-turbo and libvips on page-reader workers) must not be cut
// off by a process exit: a completion that arrives while Node tears the thread down throws a
// Napi::Error nothing can catch, and the process aborts ("terminate called…", exit 134) instead of
// stopping with its signal's code. Holders of such work register how to bring it to a pause.

const holders = new Set<() => Promise<void>>();

/** Registers a way to pause native work (stop starting it, wait for what runs); returns the unregister. */
export function registerNativeWork(pause: () => Promise<void>): () => void {
  holders.add(pause);
  return () => {
    holders.delete(pause);
  };
}

/** Pauses every registered holder of native work, waiting at most `timeoutMs`; never throws. */
export async function pauseNativeWork(timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([Promise.allSettled([...holders].map((pause) => pause())), deadline]);
  clearTimeout(timer);
}
