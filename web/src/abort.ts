/** Abort reasons as proper Errors, for promises that reject when a signal aborts. */

/** The reason `signal` aborted, as an Error (an AbortError DOMException unless the aborter gave one). */
export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError');
}
