import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { saveResponse } from '../download/downloader.js';
import type { Candidate, Item } from '../domain.js';
import { BUDGET_CODES, TrawlError, isTrawlError, toTrawlError } from '../errors.js';
import { declaredMismatch } from '../filters/checks.js';
import { withRetry } from '../net/retry.js';
import type { JobContext } from './job-context.js';

/**
 * How one candidate ended: saved as a new item, the same bytes as an item already saved, failed,
 * or filtered (it did not meet the job's filters; `reason` says how).
 */
export type ItemOutcome = { kind: 'saved'; item: Item } | { kind: 'duplicate' } | { kind: 'failed'; error: TrawlError } | { kind: 'filtered'; reason: string };

/**
 * Downloads one candidate under the source's budget: a candidate whose own metadata fails the
 * job's filters ends `filtered` with no request at all; otherwise it waits for a job slot and a
 * host slot, opens the URL through the SSRF guard, streams it into the library (retrying transient
 * failures; a file that fails the filters is dropped mid-stream and ends `filtered`), and records
 * the item. A budget that ends mid-download rethrows its reason (the temp file is gone).
 */
export async function downloadCandidate(ctx: JobContext, candidate: Candidate, signal: AbortSignal): Promise<ItemOutcome> {
  const { deps } = ctx;
  const declared = declaredMismatch(candidate, ctx.request.filters);
  if (declared !== null) return { kind: 'filtered', reason: `the candidate ${declared}` };
  let host: string;
  try {
    host = new URL(candidate.url).host;
  } catch (err) {
    return { kind: 'failed', error: new TrawlError('TRAWL_BAD_URL', `not a valid URL: ${candidate.url}`, { cause: err }) };
  }
  try {
    const saved = await ctx.downloads.run(signal, () =>
      deps.hostLimiter.run(host, signal, () =>
        withRetry(
          async () => {
            const response = await deps.http.open(candidate.url, { signal, purpose: 'media' });
            return saveResponse(response, {
              signal,
              dir: ctx.outDirAbsolute,
              maxFileSize: deps.config.maxFileSize,
              maxPixels: deps.config.maxPixels,
              filters: ctx.request.filters,
            });
          },
          { signal },
        ),
      ),
    );
    if (ctx.savedHashes.has(saved.sha256)) return { kind: 'duplicate' };
    ctx.savedHashes.add(saved.sha256);
    const { sourceData: _private, ...described } = candidate;
    const item: Item = {
      ...described,
      licenseCode: candidate.licenseCode ?? null,
      kind: saved.kind,
      width: saved.width ?? candidate.width,
      height: saved.height ?? candidate.height,
      id: randomUUID(),
      jobId: ctx.job.id,
      path: joinForReport(ctx.request.outDir, saved.relativePath),
      bytes: saved.bytes,
      sha256: saved.sha256,
      contentType: saved.contentType,
      createdAt: new Date().toISOString(),
    };
    await deps.store.addItem(item);
    await deps.recordManifest?.(item, ctx.outDirAbsolute);
    return { kind: 'saved', item };
  } catch (err) {
    // A budget or cancel ending the download is not the item's fault: let the source task see it.
    if (signal.aborted || isTrawlError(err, ...BUDGET_CODES)) throw err;
    if (isTrawlError(err, 'TRAWL_FILTERED')) return { kind: 'filtered', reason: err.message };
    return { kind: 'failed', error: toTrawlError(err, { url: candidate.url, source: candidate.source }) };
  }
}

/** The item's path as the user gave the output directory: relative stays relative, absolute stays absolute. */
function joinForReport(outDir: string, relativePath: string): string {
  return path.join(outDir, ...relativePath.split('/'));
}
