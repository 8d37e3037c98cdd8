/**
 * A pure parser for the `text/event-stream` format (WHATWG HTML, "Server-sent events"), so the
 * dashboard can read event streams through fetch() — which, unlike EventSource, can send an
 * Authorization header. No DOM and no I/O here: feed it text, get whole events back.
 */

/** One event block as the server wrote it. */
export interface SseFrame {
  /** The `id:` field, or null when the block had none (the last event id then stays as it was). */
  id: string | null;
  /** The `event:` field; `message` when absent, as EventSource does. */
  event: string;
  /** The `data:` lines joined with `\n`; may be empty (such a block updates the id only). */
  data: string;
  /** The `retry:` field in ms (the server's reconnection delay), or null. */
  retry: number | null;
}

/** What one call found: the complete blocks, and the text of an unfinished block to prepend to the next chunk. */
export interface SseParseResult {
  frames: SseFrame[];
  rest: string;
}

/**
 * Parses as many complete blocks (ended by a blank line) as `text` holds; pass `rest` back in
 * front of the next chunk. Comment-only blocks (`: ping` heartbeats) produce no frame. A CRLF
 * split across chunks is safe: `rest` restarts at the unfinished block, so its CR is read again
 * with the LF, and after a finished block a stray LF only reads as an empty block, which yields nothing.
 */
export function parseSseText(text: string): SseParseResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const frames: SseFrame[] = [];
  const lineEnd = /\r\n|\r|\n/g;
  let lines: string[] = [];
  let lineStart = 0;
  let blockStart = 0;
  for (let m = lineEnd.exec(body); m; m = lineEnd.exec(body)) {
    const line = body.slice(lineStart, m.index);
    lineStart = m.index + m[0].length;
    if (line !== '') {
      lines.push(line);
      continue;
    }
    const frame = parseLines(lines);
    if (frame) frames.push(frame);
    lines = [];
    blockStart = lineStart;
  }
  return { frames, rest: body.slice(blockStart) };
}

/** Parses the lines of one block; null when it holds no field (comments only). */
function parseLines(lines: readonly string[]): SseFrame | null {
  const frame: SseFrame = { id: null, event: 'message', data: '', retry: null };
  const data: string[] = [];
  let fields = 0;
  for (const line of lines) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    fields += applyField(frame, data, name, value) ? 1 : 0;
  }
  frame.data = data.join('\n');
  return fields > 0 ? frame : null;
}

/** Applies one `name: value` line; false for fields the format says to ignore. */
function applyField(frame: SseFrame, data: string[], name: string, value: string): boolean {
  switch (name) {
    case 'data':
      data.push(value);
      return true;
    case 'event':
      frame.event = value === '' ? 'message' : value;
      return true;
    case 'id':
      if (value.includes('\0')) return false;
      frame.id = value;
      return true;
    case 'retry':
      if (!/^\d+$/.test(value)) return false;
      frame.retry = Number(value);
      return true;
    default:
      return false;
  }
}
