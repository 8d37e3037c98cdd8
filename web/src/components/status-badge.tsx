/** A job's or a source run's state as a coloured label. */

/** Props of {@link StatusBadge}. */
export interface StatusBadgeProps {
  status: string;
  testId?: string;
}

/** The state in words (`timed_out` → "timed out"), coloured by a `status-<state>` class. */
export function StatusBadge({ status, testId }: StatusBadgeProps) {
  return (
    <span class={`status status-${status}`} data-testid={testId} data-status={status}>
      {status.replace(/_/g, ' ')}
    </span>
  );
}
