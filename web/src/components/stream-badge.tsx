/** Whether the live event stream is connected, so a stale page never passes for a live one. */
import type { StreamState } from '../sse.js';

const LABELS: Record<StreamState, string> = { connecting: 'connecting…', live: 'live', retrying: 'reconnecting…', closed: 'ended' };

/** A small label: live, connecting, reconnecting or ended. */
export function StreamBadge({ state }: { state: StreamState }) {
  return (
    <span class={`stream stream-${state}`} data-testid="stream-state" data-state={state}>
      {LABELS[state]}
    </span>
  );
}
