/** The job's events, one readable line each, newest at the bottom and kept in view while live. */
import { useEffect, useRef } from 'preact/hooks';
import type { LogLine } from '../use-job.js';

/** The log box; it follows new lines unless the reader has scrolled up. */
export function EventLog({ lines }: { lines: LogLine[] }) {
  const box = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [lines]);
  const onScroll = (): void => {
    const el = box.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };
  return (
    <ol class="event-log" data-testid="event-log" ref={box} onScroll={onScroll} aria-live="polite">
      {lines.length === 0 && <li class="muted">No events yet.</li>}
      {lines.map((line) => (
        <li key={line.key} class={`log-${line.tone}`}>
          {line.text}
        </li>
      ))}
    </ol>
  );
}
