/** A clock for live bars: the current time, re-rendering every `intervalMs` while `active`. */
import { useEffect, useState } from 'preact/hooks';

/** `Date.now()`, refreshed every `intervalMs` while `active` (no timer otherwise). */
export function useNow(active: boolean, intervalMs = 250): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [active, intervalMs]);
  return active ? now : Date.now();
}
