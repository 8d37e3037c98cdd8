/**
 * Throw-away PostgreSQL databases for integration tests, on the server TRAWL_TEST_DATABASE_URL names
 * (default: the local one on 127.0.0.1). When that server cannot be reached the tests that need it
 * are skipped with the reason, except under CI, which must test PostgreSQL and fails instead.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const TEST_SERVER_URL = process.env.TRAWL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL cannot be tested here (undefined when it can); throws under CI. */
export async function postgresUnavailable(): Promise<string | undefined> {
  try {
    await onServer((client) => client.query('SELECT 1'));
    return undefined;
  } catch (err) {
    const reason = `PostgreSQL on ${new URL(TEST_SERVER_URL).host} cannot be reached: ${err instanceof Error ? err.message : String(err)}`;
    if (process.env.CI !== undefined) throw new Error(`${reason}; CI must test PostgreSQL (.ci/run starts it)`);
    return reason;
  }
}

/** A new, empty database; its URL and how to drop it (connections still open are ended). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `trawl_it_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}
