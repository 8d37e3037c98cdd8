/**
 * SSRF (docs/reliability.md, table 3), against the real engine. The simulator runs on 127.0.0.3,
 * the one address the operator trusts (TRAWL_ALLOW_HOSTS=127.0.0.3, private networks not
 * allowed); canaries listen on 127.0.0.1, 127.0.0.2 and [::1] and count every connection. Media
 * URLs and redirect targets aimed at loopback in every spelling must be refused before connecting:
 * the canaries see nothing, and the trusted files of the same job are saved. Only 127.0.0.0/8 and
 * ::1 appear here, as the machine's rules require.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from '../support/harness.js';
import { type Canary, expectItemsIntact, failureCodes, rewrittenSource, runRow, startCanary, stubResolver } from './support/fault-kit.js';

const TRUSTED = '127.0.0.3';
const ENV = { TRAWL_REQUEST_TIMEOUT: '2s', TRAWL_SOURCE_TIMEOUT: '20s', TRAWL_ALLOW_PRIVATE_NETWORKS: 'false' };

let h: Harness;
let canaries: Canary[] = [];
beforeEach(async () => {
  h = await startHarness({ host: TRUSTED, itemsPerQuery: 9 }, ENV);
  expect(h.env.TRAWL_ALLOW_HOSTS).toBe(TRUSTED);
});
afterEach(async () => {
  await Promise.all(canaries.splice(0).map((c) => c.close()));
  await h.close();
});

/** Canaries on 127.0.0.1, 127.0.0.2 and [::1]; the attack URLs, each aimed at one of them. */
async function attackUrls(): Promise<string[]> {
  const [one, two, six] = await Promise.all([startCanary('127.0.0.1'), startCanary('127.0.0.2'), startCanary('::1')]);
  if (one === undefined || two === undefined || six === undefined) throw new Error('canaries did not start');
  canaries = [one, two, six];
  return [
    `http://127.0.0.1:${one.port}/attack-0.png`,
    `http://127.0.0.2:${two.port}/attack-1.png`,
    `http://0x7f.1:${one.port}/attack-2.png`,
    `http://[::1]:${six.port}/attack-3.png`,
    `http://[::ffff:127.0.0.1]:${one.port}/attack-4.png`,
    `http://2130706433:${one.port}/attack-5.png`,
    // A name; the stub resolver answers 127.0.0.1.
    `http://loopback.trawl.test:${one.port}/attack-6.png`,
  ];
}

const toLoopback = stubResolver(() => '127.0.0.1');
const canaryConnections = (): number => canaries.reduce((sum, c) => sum + c.connections(), 0);

describe('SSRF: loopback in every spelling is refused before connecting', () => {
  it('as media URLs', async () => {
    const attacks = await attackUrls();
    const source = rewrittenSource((url, i) => attacks[i] ?? url.href);
    const run = await runRow(h, { query: 'cats', sources: 'openverse', limit: 9 }, { sources: [source], lookup: toLoopback.lookup });
    expect(failureCodes(run.report)).toEqual(Object.fromEntries(attacks.map((a) => [new URL(a).pathname, 'TRAWL_SSRF_BLOCKED'])));
    expect(run.job.status).toBe('completed');
    expect(run.report.downloaded).toBe(2);
    await expectItemsIntact(h, run.report);
    expect(canaryConnections()).toBe(0);
    // Not retried: a refusal is final.
    expect(toLoopback.calls.filter((name) => name === 'loopback.trawl.test')).toHaveLength(1);
  });

  it('as redirect targets from a trusted server', async () => {
    const attacks = await attackUrls();
    h.sim.setFaults(attacks.map((location, i) => ({ target: `/media/openverse/cats-${i + 1}.png`, fault: 'redirect-private' as const, location })));
    const run = await runRow(h, { query: 'cats', sources: 'openverse', limit: 9 }, { lookup: stubResolver(() => '127.0.0.1').lookup });
    expect(failureCodes(run.report)).toEqual(Object.fromEntries(attacks.map((_, i) => [`/media/openverse/cats-${i + 1}.png`, 'TRAWL_SSRF_BLOCKED'])));
    expect(run.job.status).toBe('completed');
    expect(run.report.downloaded).toBe(2);
    await expectItemsIntact(h, run.report);
    expect(canaryConnections()).toBe(0);
    await h.sim.waitForClosed((r) => r.fault !== null, 2_000);
  });
});

describe('SSRF: DNS rebinding', () => {
  it('checks the address actually connected: 127.0.0.3 (allowed) then 127.0.0.2 (the canary) from the same name', async () => {
    const canary = await startCanary('127.0.0.2', h.sim.port);
    canaries = [canary];
    const rebinding = stubResolver((_name, call) => (call === 1 ? TRUSTED : '127.0.0.2'));
    const source = rewrittenSource((url, i) => (i === 0 ? `http://rebind.trawl.test:${h.sim.port}${url.pathname}` : url.href));
    const job = { query: 'cats', sources: 'openverse', limit: 3 };

    // First connection: the name resolves to the trusted address, and the file is fetched from it.
    const first = await runRow(h, job, { sources: [source], lookup: rebinding.lookup });
    expect(first.report.failures).toEqual([]);
    expect(first.report.downloaded).toBe(3);
    expect(rebinding.calls).toEqual(['rebind.trawl.test']);

    // Next connection (a new process pool): the same name now answers the canary's address.
    const second = await runRow(h, job, { sources: [source], lookup: rebinding.lookup });
    expect(failureCodes(second.report)).toEqual({ '/media/openverse/cats-1.png': 'TRAWL_SSRF_BLOCKED' });
    expect(second.report.failures[0]?.message).toMatch(/rebind\.trawl\.test \(resolves to 127\.0\.0\.2\)/);
    expect(second.report.downloaded).toBe(2);
    expect(rebinding.calls).toEqual(['rebind.trawl.test', 'rebind.trawl.test']);
    expect(canary.connections()).toBe(0);
  });
});
