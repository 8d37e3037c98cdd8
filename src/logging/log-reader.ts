import { type FileHandle, open } from 'node:fs/promises';

/** One line of the operator log, as written (pino JSON: `time`, `level`, `msg`, fields). */
export type LogLine = Record<string, unknown>;

/** A job's last lines of the log, and how much of the file it took to find them. */
export interface JobLogTail {
  /** Oldest first. */
  lines: LogLine[];
  /** Bytes read from the end of the file. */
  bytesRead: number;
}

const CHUNK_BYTES = 64 * 1024;
/** Longer lines are skipped: a pino line is a few hundred bytes, and memory stays bounded by this. */
const MAX_LINE_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * The last `limit` lines of the JSON log at `file` whose `jobId` is `jobId`, oldest first. Reads the
 * file backwards in 64 KiB chunks and stops as soon as it has them, so a job near the end of a large
 * log costs a few chunks, and memory is bounded whatever the file's size. Lines that are not JSON
 * objects, or longer than 1 MiB, are skipped. A missing file has no lines.
 */
export async function readJobLogLines(file: string, jobId: string, options: { limit: number; signal?: AbortSignal }): Promise<JobLogTail> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], bytesRead: 0 };
    throw err;
  }
  const newestFirst: LogLine[] = [];
  const needle = Buffer.from(jobId, 'utf8');
  const progress = { bytesRead: 0 };
  try {
    for await (const segment of linesFromEnd(handle, progress, options.signal)) {
      if (newestFirst.length >= options.limit) break;
      // Cheap filter first: most lines belong to other jobs.
      if (segment.indexOf(needle) < 0) continue;
      const line = parseLine(segment.toString('utf8'));
      if (line?.jobId === jobId) newestFirst.push(line);
    }
    return { lines: newestFirst.reverse(), bytesRead: progress.bytesRead };
  } finally {
    await handle.close();
  }
}

/**
 * The file's lines, last first, as bytes (no newline), read backwards a chunk at a time; counts the
 * bytes read into `progress`. Lines longer than MAX_LINE_BYTES are skipped, not gathered.
 */
async function* linesFromEnd(handle: FileHandle, progress: { bytesRead: number }, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  let position = (await handle.stat()).size;
  // The end part of a line whose start lies further back; `oversized` while one is being skipped.
  let carry = Buffer.alloc(0);
  let oversized = false;
  while (position > 0) {
    signal?.throwIfAborted();
    const size = Math.min(CHUNK_BYTES, position);
    position -= size;
    const { bytesRead } = await handle.read(chunk, 0, size, position);
    progress.bytesRead += bytesRead;
    const text = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
    let end = text.length;
    for (let nl = newlineBefore(text, end); nl >= 0; nl = newlineBefore(text, end)) {
      if (!oversized) yield text.subarray(nl + 1, end);
      oversized = false;
      end = nl;
    }
    carry = text.subarray(0, end);
    if (carry.length > MAX_LINE_BYTES) {
      carry = Buffer.alloc(0);
      oversized = true;
    }
  }
  // The first line has no newline before it.
  if (!oversized) yield carry;
}

/** The index of the last newline before `end`, or -1 (a negative offset would search from the buffer's end). */
function newlineBefore(text: Buffer, end: number): number {
  return end > 0 ? text.lastIndexOf(NEWLINE, end - 1) : -1;
}

function parseLine(text: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}
