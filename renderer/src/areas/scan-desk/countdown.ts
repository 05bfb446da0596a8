// Countdowns on the Scan desk: a clock that ticks once a second, and the seconds left until a time.
import { useEffect, useState } from 'react';

/** Seconds until an ISO time, never below 0. */
export function secondsUntil(at: string | null, nowMs: number): number {
  return at ? Math.max(0, Math.ceil((Date.parse(at) - nowMs) / 1000)) : 0;
}

/** A ticking clock (one update a second) for countdowns. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
