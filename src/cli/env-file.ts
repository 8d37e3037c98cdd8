import { randomBytes } from 'node:crypto';
import { readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { onDisk } from '../download/disk-error.js';

/** `KEY=`, `export KEY =`: the line that sets KEY in a .env file. */
const SETTING = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/**
 * Sets `values` in the .env file `file` (created when missing): a line that sets one of those keys
 * is replaced where it stands, every other line (comments, API keys, other settings) is kept as it
 * is, and new keys are appended. The text goes to a temp file beside it, with the old file's
 * permissions, which is then renamed over it: a reader sees the old file or the new one, never part
 * of one. A symlinked file is updated where the link points. Values are written as they are, so
 * they must be single-line text without quotes or `#` (origins, keys). Errors are TRAWL_DISK.
 */
export async function updateEnvFile(file: string, values: Readonly<Record<string, string>>, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  const target = await realpath(file).catch(() => path.resolve(file));
  const existing = await onDisk(target, 'read', () => readExisting(target, signal));
  const text = mergeEnv(existing?.text ?? '', values);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await onDisk(temp, 'write', () => writeFile(temp, text, { flag: 'wx', mode: existing?.mode ?? 0o644, ...(signal ? { signal } : {}) }));
    await onDisk(target, 'replace', () => rename(temp, target));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** The file's text and permission bits, or undefined when there is no file yet. */
async function readExisting(file: string, signal: AbortSignal | undefined): Promise<{ text: string; mode: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, { encoding: 'utf8', ...(signal ? { signal } : {}) }), stat(file)]);
    return { text, mode: info.mode & 0o777 };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `text` with `values` set: lines for their keys replaced in place (a repeated key keeps one line), new keys appended. */
export function mergeEnv(text: string, values: Readonly<Record<string, string>>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const pending = new Map(Object.entries(values));
  const kept: string[] = [];
  for (const line of lines) {
    const key = SETTING.exec(line)?.[1];
    if (key === undefined || !(key in values)) kept.push(line);
    else if (pending.has(key)) {
      kept.push(`${key}=${values[key] ?? ''}`);
      pending.delete(key);
    }
  }
  for (const [key, value] of pending) kept.push(`${key}=${value}`);
  return `${kept.join(eol)}${eol}`;
}
