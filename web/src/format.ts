/** Short human forms for durations, sizes and times on the dashboard. */

// Durations and sizes read the same on the dashboard as in the CLI and the log: one implementation.
export { formatBytes, formatDuration } from '../../src/config/units.js';

/** A local date and time for an ISO timestamp; the text itself when it is not a date. */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
