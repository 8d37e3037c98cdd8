/**
 * The tools people point at a Trawl server, run against a live `trawl serve` (the built binary):
 * Prometheus's `promtool check metrics` on /metrics after a job has run, and the Redocly CLI's
 * recommended rules on /api/openapi.json. Both must report nothing at all.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../src/domain.js';
import { type Harness, ROOT, startHarness, waitFor } from './support/harness.js';
import { type ServeProcess, startServe } from './support/serve.js';

/** Debian's `prometheus` package provides it; `.ci/run` installs it. */
const PROMTOOL_PRESENT = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
const PROMTOOL_MISSING = 'promtool is not installed: apt-get install -y prometheus';
// On a developer machine without promtool the check is skipped, saying why; CI must run it.
const SKIP_PROMTOOL = !PROMTOOL_PRESENT && !process.env.CI;

const REDOCLY = path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
// The linter must not phone home from a test: no usage telemetry, no update check.
const REDOCLY_ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SDK_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

let h: Harness;
let serve: ServeProcess;

beforeAll(async () => {
  h = await startHarness({ itemsPerQuery: 2 });
  serve = await startServe(h);
});
afterAll(async () => {
  await serve.stop();
  await h.close();
});

describe.skipIf(SKIP_PROMTOOL)(`promtool check metrics on a live /metrics${SKIP_PROMTOOL ? ` (skipped: ${PROMTOOL_MISSING})` : ''}`, () => {
  it('reports nothing, after a job has filled the labelled series', async () => {
    expect(PROMTOOL_PRESENT, PROMTOOL_MISSING).toBe(true);
    const created = await fetch(`${serve.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'metrics', sources: ['pexels', 'openverse'], limit: 2 }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Job;
    await waitFor('the job to end', async () => {
      const job = (await (await fetch(`${serve.url}/api/jobs/${id}`)).json()) as Job;
      return job.status === 'completed' ? job : undefined;
    });
    const text = await (await fetch(`${serve.url}/metrics`)).text();
    expect(text).toMatch(/^trawl_items_downloaded_total\{source="pexels",kind="image"\} 2$/m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, stdout: check.stdout, stderr: check.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});

describe('the Redocly CLI on the live OpenAPI document', () => {
  it('finds no error and no warning under its recommended rules', async () => {
    const res = await fetch(`${serve.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const file = path.join(h.cwd, 'openapi.json');
    await writeFile(file, await res.text());
    const lint = spawnSync(process.execPath, [REDOCLY, 'lint', '--extends', 'recommended', '--format', 'json', file], { encoding: 'utf8', env: REDOCLY_ENV, cwd: h.cwd });
    const report = JSON.parse(lint.stdout) as { totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string }> };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(lint.status).toBe(0);
  });
});
