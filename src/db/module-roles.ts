import pg from 'pg';
import { Sequelize } from 'sequelize';
import type { Logger } from '../logger.js';
import { withAdvisoryLock } from './advisory-lock.js';
import type { Database } from './database.js';
import { roleStartupOption } from './role-option.js';

/** What NxForge's database user may do, read once at start. */
interface Privileges {
  /** Superuser, or CREATEROLE. */
  canCreateRoles: boolean;
  /** May grant CREATE on schema public (owns it, or the database). */
  canGrantSchema: boolean;
  /** The database's OID: part of every role name, since roles belong to the whole cluster. */
  databaseOid: number;
  user: string;
}

/**
 * One PostgreSQL role per module, so that a module reaches its own tables and nothing else — the core's tables
 * and other modules' answer "permission denied" from PostgreSQL itself (docs/modules.md, "Database isolation").
 * Each role is NOLOGIN, created and owned by NxForge's database user, which is a member of it: the module's
 * migrations run under it (`SET LOCAL ROLE`), so its tables are the role's; its `ctx.db` and its jobs'
 * `context.db` connect with the role as a startup parameter. Role names carry the database's OID
 * (`nxfm_16384_tm`), as roles are shared by every database of a cluster.
 *
 * When NxForge's user may not create roles (no CREATEROLE) or grant on schema public, isolation is off: a
 * warning is logged once and modules share NxForge's connection, as before.
 */
export class ModuleRoles {
  private constructor(
    private readonly db: Database,
    private readonly privileges: Privileges,
  ) {}

  /** Reads what NxForge's user may do; logs a warning when isolation cannot be had. */
  static async open(db: Database, logger: Logger): Promise<ModuleRoles> {
    const row = await db.one<{ can_create: boolean; can_grant: boolean; oid: number; user: string }>(
      `SELECT (r.rolsuper OR r.rolcreaterole) AS can_create,
              has_schema_privilege('public', 'CREATE WITH GRANT OPTION') AS can_grant,
              (SELECT oid FROM pg_database WHERE datname = current_database())::int AS oid,
              current_user AS "user"
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    const privileges: Privileges = {
      canCreateRoles: row?.can_create ?? false,
      canGrantSchema: row?.can_grant ?? false,
      databaseOid: row?.oid ?? 0,
      user: row?.user ?? '?',
    };
    const roles = new ModuleRoles(db, privileges);
    if (!roles.isolated) {
      const missing = !privileges.canCreateRoles ? 'CREATEROLE' : 'the right to grant CREATE on schema public';
      logger.warn(
        { user: privileges.user },
        `module database isolation is off: the database user "${privileges.user}" lacks ${missing}, so modules ` +
          `share NxForge's database privileges. ALTER ROLE ${privileges.user} CREATEROLE (and make it the owner of the ` +
          `database) to give each module a role of its own; see docs/modules.md.`,
      );
    }
    return roles;
  }

  /** Whether modules get roles of their own. */
  get isolated(): boolean {
    return this.privileges.canCreateRoles && this.privileges.canGrantSchema;
  }

  /** The role of the module with `tablePrefix`, or undefined when isolation is off. */
  roleOf(tablePrefix: string): string | undefined {
    if (!this.isolated) return undefined;
    return `nxfm_${this.privileges.databaseOid}_${tablePrefix.replace(/_+$/, '')}`;
  }

  /**
   * Makes the module's role ready before its migrations run: created if missing (NOLOGIN; NxForge's user a
   * member of it), allowed to create in schema public, and owner of whatever already carries the module's prefix
   * (tables made before isolation, by an older NxForge), and of the legacy tables it `adopts` that still exist
   * under their old names (its migrations rename them into its prefix). Several processes may do this at once: an advisory lock
   * makes them take turns, and each step is idempotent. Returns the role, or undefined when isolation is off.
   */
  async prepare(tablePrefix: string, adopts: readonly string[] = []): Promise<string | undefined> {
    const role = this.roleOf(tablePrefix);
    if (!role) return undefined;
    await withAdvisoryLock(this.db.url, `nxforge:module-role:${role}`, async () => {
      const client = new pg.Client({ connectionString: this.db.url });
      await client.connect();
      try {
        const quoted = pg.escapeIdentifier(role);
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        if (exists.rowCount === 0) await client.query(`CREATE ROLE ${quoted} NOLOGIN NOINHERIT`);
        // A CREATEROLE user (PostgreSQL 16+) administers the roles it creates but may act as one only once granted
        // it; granting again is harmless (a notice), so it is always done.
        await client.query(`GRANT ${quoted} TO CURRENT_USER`);
        await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${quoted}`);
        await adoptObjects(client, tablePrefix, role);
        await adoptLegacyTables(client, adopts, role);
      } finally {
        await client.end();
      }
    });
    return role;
  }

  /** A connection pool for a module whose connections act as `role`. */
  connect(role: string, applicationName: string, poolMax = 4): Sequelize {
    return new Sequelize(this.db.url, {
      dialect: 'postgres',
      logging: false,
      pool: { max: poolMax, min: 0, idle: 10_000, acquire: 30_000 },
      dialectOptions: { application_name: applicationName.slice(0, 63), options: roleStartupOption(role) },
    });
  }

  /** Drops a purged module's role, with any grant or object left to it. */
  async drop(tablePrefix: string): Promise<void> {
    const role = this.roleOf(tablePrefix);
    if (!role) return;
    const found = await this.db.one('SELECT 1 AS found FROM pg_roles WHERE rolname = $1', [role]);
    if (!found) return;
    const quoted = pg.escapeIdentifier(role);
    await this.db.execute(`DROP OWNED BY ${quoted}`);
    await this.db.execute(`DROP ROLE ${quoted}`);
  }
}

/** The ALTER … OWNER statement for each kind of object a module may create. */
const alterByKind: Record<string, string> = {
  r: 'TABLE',
  p: 'TABLE',
  f: 'FOREIGN TABLE',
  v: 'VIEW',
  m: 'MATERIALIZED VIEW',
  S: 'SEQUENCE',
  type: 'TYPE',
  domain: 'DOMAIN',
  routine: 'ROUTINE',
};

/**
 * Gives `role` the objects of schema public named with `prefix` that someone else owns. Indexes and the
 * sequences of a table's columns follow their table.
 */
async function adoptObjects(client: pg.Client, prefix: string, role: string): Promise<void> {
  const like = `${prefix.replace(/_/g, '\\_')}%`;
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT format('%I', c.relname) AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname LIKE $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
        AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
        AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
     UNION ALL
     SELECT format('%I', t.typname), CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typname LIKE $1 AND t.typtype IN ('e', 'd', 'c', 'r') AND t.typrelid = 0
        AND t.typowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
     UNION ALL
     SELECT p.oid::regprocedure::text, 'routine'
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proname LIKE $1 AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)`,
    [like, role],
  );
  for (const row of rows) {
    await client.query(`ALTER ${alterByKind[row.kind]} ${row.name} OWNER TO ${pg.escapeIdentifier(role)}`);
  }
}

/**
 * Gives `role` the legacy tables a module adopts (those that exist, in schema public). Their indexes and the
 * sequences of their columns follow them.
 */
async function adoptLegacyTables(client: pg.Client, tables: readonly string[], role: string): Promise<void> {
  if (tables.length === 0) return;
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I', c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname = ANY($1::text[])
        AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)`,
    [tables, role],
  );
  for (const row of rows) await client.query(`ALTER TABLE ${row.name} OWNER TO ${pg.escapeIdentifier(role)}`);
}
