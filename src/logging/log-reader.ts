import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of the operator log, as written (pino JSON: `time`, `level`, `msg`, fields). */
export type LogLine = Record<string, unknown>;

/**
 * The last `limit` lines of the JSON log at `file` whose `jobId` is `jobId`, oldest first. Reads the
 * file once, front to back; lines that are not JSON objects are skipped. A missing file has no lines.
 */
export async function readJobLogLines(file: string, jobId: string, options: { limit: number; signal?: AbortSignal }): Promise<LogLine[]> {
  const stream = createReadStream(file, { encoding: 'utf8', ...(options.signal ? { signal: options.signal } : {}) });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const kept: LogLine[] = [];
  try {
    for await (const text of lines) {
      // Cheap filter first: most lines belong to other jobs.
      if (!text.includes(jobId)) continue;
      const line = parseLine(text);
      if (line?.jobId !== jobId) continue;
      kept.push(line);
      if (kept.length > options.limit) kept.shift();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
  return kept;
}

function parseLine(text: string): LogLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
}
