import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Item } from '../domain.js';

export const MANIFEST_FILE = 'manifest.jsonl';

/** The fields of an item as written to the manifest and the `--json` report (no internal ids). */
export function publicItem(item: Item): Omit<Item, 'jobId'> {
  const { jobId: _jobId, ...rest } = item;
  return rest;
}

/**
 * Appends one item as a JSON line to `<outDir>/manifest.jsonl`. Each line is written with a
 * single append call, so a crash leaves whole lines only. The directory is created only when the
 * append finds it missing: the usual item costs one filesystem call, not two.
 */
export async function appendManifest(item: Item, outDir: string): Promise<void> {
  const file = path.join(outDir, MANIFEST_FILE);
  const line = `${JSON.stringify(publicItem(item))}\n`;
  try {
    await appendFile(file, line, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await mkdir(outDir, { recursive: true });
    await appendFile(file, line, 'utf8');
  }
}
