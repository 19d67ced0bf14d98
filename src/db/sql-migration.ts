import { NxfError } from '../errors.js';

/** The two halves of a `NNN_name.sql` migration file. */
export interface SqlMigration {
  up: string;
  down: string;
}

const upMarker = /^--\s*Up migration\s*$/im;
const downMarker = /^--\s*Down migration\s*$/im;

/** Migration file names: a number giving the order, then a snake/kebab-case description. */
export const migrationFilePattern = /^(\d{3,})_([a-z0-9][a-z0-9_-]*)\.(sql|js)$/;

/**
 * Splits a migration file into its `-- Up migration` and `-- Down migration` sections (the format docs/modules.md describes).
 * @throws NxfError NXF_MIGRATION_FORMAT when a section is missing, empty or out of order.
 */
export function parseSqlMigration(text: string, fileName: string): SqlMigration {
  const up = upMarker.exec(text);
  const down = downMarker.exec(text);
  if (!up || !down) {
    throw new NxfError(
      'NXF_MIGRATION_FORMAT',
      `${fileName}: a SQL migration needs a "-- Up migration" and a "-- Down migration" section`,
      { status: 400 },
    );
  }
  if (down.index < up.index) {
    throw new NxfError('NXF_MIGRATION_FORMAT', `${fileName}: "-- Up migration" must come before "-- Down migration"`, {
      status: 400,
    });
  }
  const upSql = text.slice(up.index + up[0].length, down.index).trim();
  const downSql = text.slice(down.index + down[0].length).trim();
  if (upSql === '') {
    throw new NxfError('NXF_MIGRATION_FORMAT', `${fileName}: the Up section is empty`, { status: 400 });
  }
  return { up: upSql, down: downSql };
}
