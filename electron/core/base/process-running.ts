// Whether another process is still alive, for leftovers a process may still be working on.

/** Whether a process with this id is running (EPERM: it runs under another user, so it is alive). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
