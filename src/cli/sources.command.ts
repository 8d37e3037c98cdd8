import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { type SourceStatus, listSourceStatus } from '../services/source-status.js';
import { SOURCES } from '../sources/registry.js';
import type { CliIo } from './io.js';

/** `trawl sources`: every source, whether it can run (and why not), its media and licence. */
export function registerSources(program: Command, io: CliIo): void {
  program
    .command('sources')
    .description('list every source: configured or not (and why), media kinds, licence, quota')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      const statuses = await listSourceStatus(loadConfig({ env: io.env, cwd: io.cwd }), SOURCES);
      io.stdout.write(flags.json ? `${JSON.stringify(statuses, null, 2)}\n` : renderTable(statuses));
    });
}

function renderTable(statuses: SourceStatus[]): string {
  const lines = statuses.map((s) => {
    const state = s.configured ? 'ready' : `not configured: ${s.reason ?? ''}`;
    const quota = s.quota?.remaining === null || s.quota === null ? '' : `  quota ${s.quota.remaining}/${s.quota.limit ?? '?'}${s.quota.resetAt ? ` until ${s.quota.resetAt}` : ''}`;
    return `${s.id.padEnd(18)} ${s.kinds.join('+').padEnd(12)} ${state}${quota}\n${' '.repeat(19)}${s.licensePolicy}\n`;
  });
  const ready = statuses.filter((s) => s.configured).length;
  return `${lines.join('')}\n${ready} of ${statuses.length} sources ready.\n`;
}
