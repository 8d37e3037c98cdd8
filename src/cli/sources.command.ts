import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { formatDuration } from '../config/units.js';
import { type FilterName, NO_FILTERS } from '../domain.js';
import { FILTER_FLAGS } from '../filters/parse.js';
import type { SourceHealth } from '../engine/source-health.js';
import { type SourceStatus, listSourceStatus } from '../services/source-status.js';
import { loadSourceRegistry } from '../sources/plugin-sources.js';
import type { CliIo } from './io.js';

/**
 * `trawl sources`: every source, whether it can run (and why not), its media, licence, quota and
 * health, then which filters each one asks its service for.
 */
export function registerSources(program: Command, io: CliIo): void {
  program
    .command('sources')
    .description('list every source: configured or not (and why), media kinds, licence, quota, health, circuit breaker and the filters it asks its service for')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd });
      const statuses = await listSourceStatus(config, await loadSourceRegistry(config));
      io.stdout.write(flags.json ? `${JSON.stringify(statuses, null, 2)}\n` : `${renderTable(statuses)}\n${renderPushdown(statuses)}`);
    });
}

function renderTable(statuses: SourceStatus[]): string {
  const indent = ' '.repeat(19);
  const lines = statuses.map((s) => {
    const state = s.configured ? 'ready' : `not configured: ${s.reason ?? ''}`;
    const quota = s.quota?.remaining === null || s.quota === null ? '' : `  quota ${s.quota.remaining}/${s.quota.limit ?? '?'}${s.quota.resetAt ? ` until ${s.quota.resetAt}` : ''}`;
    const error = s.health.lastError;
    const lastError = error ? `${indent}last error ${error.at}: ${error.code} ${error.message}\n` : '';
    return `${s.id.padEnd(18)} ${s.kinds.join('+').padEnd(12)} ${state}${quota}\n${indent}${s.licensePolicy}\n${indent}${renderHealth(s.health)}\n${lastError}`;
  });
  const ready = statuses.filter((s) => s.configured).length;
  return `${lines.join('')}\n${ready} of ${statuses.length} sources ready.\n`;
}

/**
 * One row per source, one column per filter flag: `exact`, `coarse` or `approx.` when the source
 * asks its service for it (how closely, see docs/sources.md), `-` when Trawl alone checks it, and
 * `skipped` under --license for a source that cannot state licences.
 */
function renderPushdown(statuses: SourceStatus[]): string {
  const filters = Object.keys(NO_FILTERS) as FilterName[];
  const cell = (s: SourceStatus, filter: FilterName): string => {
    const row = s.pushdown.find((p) => p.filter === filter);
    if (row !== undefined) return row.precision === 'approximate' ? 'approx.' : row.precision;
    return filter === 'license' && !s.statesLicenses ? 'skipped' : '-';
  };
  const widths = filters.map((filter) => FILTER_FLAGS[filter].length + 1);
  const line = (first: string, cells: string[]): string => `${first.padEnd(18)} ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('')}`.trimEnd();
  const rows = statuses.map((s) => line(s.id, filters.map((f) => cell(s, f))));
  return `Filters asked of each service (Trawl checks every filter on every file anyway; --json shows what is sent):\n${line('', filters.map((f) => FILTER_FLAGS[f]))}\n${rows.join('\n')}\n`;
}

/** `health 18/20 ok (90%), p50 1.2s, p95 3.4s; breaker closed` */
function renderHealth(health: SourceHealth): string {
  const { breaker, latencyMs } = health;
  const runs =
    health.runs === 0 || health.successRate === null
      ? 'no runs recorded'
      : `${health.ok}/${health.runs} ok (${Math.round(health.successRate * 100)}%), p50 ${formatDuration(latencyMs.p50 ?? 0)}, p95 ${formatDuration(latencyMs.p95 ?? 0)}`;
  const failures = `${breaker.consecutiveFailures} failures in a row`;
  const state =
    breaker.state === 'open'
      ? `OPEN after ${failures}, skipped until ${breaker.retryAt ?? '?'}`
      : breaker.state === 'half_open'
        ? `half-open after ${failures}: the next run is a trial`
        : 'closed';
  return `health ${runs}; breaker ${state}`;
}
