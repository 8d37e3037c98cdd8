import type { Command } from 'commander';
import { type Config, loadConfig } from '../config/config.js';
import type { HttpClient } from '../net/http.js';
import type { DoctorReport } from '../services/doctor.js';
import { toTrawlError } from '../errors.js';
import { loadSourceRegistry } from '../sources/plugin-sources.js';
import { SOURCE_LIST } from '../sources/registry.js';
import type { CliIo } from './io.js';

/**
 * `trawl doctor [--online]`: the configuration (each value and where it came from) and a check of
 * the data dir, database, disk, sources and jobs; with `--online`, one small search per configured
 * source. Exit 0 when all is well, 1 with one precise line per problem; a bad setting fails loading
 * the config, with the TRAWL_BAD_CONFIG message and exit 2.
 */
export function registerDoctor(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description('check the configuration, data dir, database, disk and jobs, and say exactly what is wrong')
    .option('--online', 'also send one small search to each configured source: reachable, HTTP status, latency, quota (each within TRAWL_REQUEST_TIMEOUT)')
    .option('--json', 'print the findings as JSON')
    .action(async (flags: { json?: boolean; online?: boolean }) => {
      const config = loadConfig({ env: io.env, cwd: io.cwd });
      const { runDoctor } = await import('../services/doctor.js');
      // A broken plugin is a finding here, not a start-up failure: doctor checks the rest with the built-ins.
      const loaded = await loadSourceRegistry(config).then(
        (registry) => ({ registry }),
        (err: unknown) => ({ registry: SOURCE_LIST, pluginError: toTrawlError(err).message }),
      );
      const options = { env: io.env, ...loaded };
      // Without --online no client is even made: doctor then contacts no source.
      const report = flags.online === true ? await withHttpClient(config, (online) => runDoctor(config, { ...options, online })) : await runDoctor(config, options);
      io.stdout.write(flags.json ? `${JSON.stringify({ ok: report.problems.length === 0, ...report }, null, 2)}\n` : renderDoctor(report));
      io.exitCode = report.problems.length === 0 ? 0 : 1;
    });
}

/** Runs `work` with the HTTP client jobs use (same limits, SSRF guard and origins), closed afterwards. */
async function withHttpClient<T>(config: Config, work: (http: HttpClient) => Promise<T>): Promise<T> {
  const { createHttpClient, httpClientOptionsFrom } = await import('../net/undici-http-client.js');
  const http = createHttpClient(httpClientOptionsFrom(config));
  try {
    return await work(http);
  } finally {
    await http.close();
  }
}

function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.settings.map((s) => s.name.length));
  const valueWidth = Math.min(24, Math.max(...report.settings.map((s) => s.value.length)));
  const lines = ['settings (value, and where it came from):'];
  for (const setting of report.settings) lines.push(`  ${setting.name.padEnd(width)}  ${setting.value.padEnd(valueWidth)}  ${setting.origin}`);
  lines.push('', 'checks:');
  for (const check of report.checks) lines.push(`  ${check.ok ? 'ok     ' : 'PROBLEM'}  ${check.name}: ${check.detail}`);
  const n = report.problems.length;
  lines.push('', n === 0 ? 'no problems found' : `${n} problem${n === 1 ? '' : 's'} found`);
  return `${lines.join('\n')}\n`;
}
