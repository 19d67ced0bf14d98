import pg from 'pg';

/**
 * Runs `work` while holding a PostgreSQL session advisory lock on `key`, so that several NxForge processes on one
 * database do it one at a time (e.g. applying migrations). The lock lives on its own connection and is released
 * when that connection ends, even if this process dies.
 */
export async function withAdvisoryLock<T>(url: string, key: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    return await work();
  } finally {
    await client.end();
  }
}
