import type { Transaction } from 'sequelize';
import type { Database } from '../../db/database.js';
import { NxfError } from '../../errors.js';
import { isAdopted } from './sql-object-scan.js';

/**
 * The names of everything in the public schema: tables, indexes, sequences, views, types and functions.
 * Compared before and after a module's migration (inside its transaction) to catch what a reading of the SQL
 * cannot: objects made by a DO block or a JS migration, or a core table dropped indirectly.
 */
async function publicObjects(db: Database, transaction: Transaction): Promise<Set<string>> {
  const rows = await db.select<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'i', 'I', 'S', 'v', 'm', 'f')
     UNION SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c', 'r', 'm') AND t.typrelid = 0
     UNION SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
     UNION SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('public', 'information_schema')`,
    [],
    transaction,
  );
  return new Set(rows.map((row) => row.name));
}

/**
 * Runs `work` in `transaction` and refuses (throws, so the transaction is rolled back) if it created or dropped
 * an object whose name lacks `tablePrefix`. An adopted legacy table, and what is named after it, may go — renamed
 * into the prefix.
 */
export async function guardCatalog(
  db: Database,
  transaction: Transaction,
  tablePrefix: string,
  migration: string,
  work: () => Promise<unknown>,
  adopts: readonly string[] = [],
): Promise<void> {
  const before = await publicObjects(db, transaction);
  await work();
  const after = await publicObjects(db, transaction);
  const created = [...after].filter((name) => !before.has(name) && !name.startsWith(tablePrefix));
  const dropped = [...before].filter(
    (name) => !after.has(name) && !name.startsWith(tablePrefix) && !isAdopted(name, adopts),
  );
  if (created.length > 0 || dropped.length > 0) {
    const parts = [
      created.length > 0 ? `created ${created.join(', ')}` : '',
      dropped.length > 0 ? `dropped ${dropped.join(', ')}` : '',
    ].filter(Boolean);
    throw new NxfError(
      'NXF_MIGRATION_PREFIX',
      `${migration} ${parts.join(' and ')}: a module may only create or drop objects named with its prefix "${tablePrefix}"`,
      { status: 400 },
    );
  }
}
