/**
 * Finds the database objects a SQL migration creates or changes, by reading its statements: enough to refuse a
 * migration that creates `endpoint` instead of `cm_endpoint`, or alters another module's table, before anything
 * runs. Dollar-quoted bodies (DO blocks, functions) are read as SQL too; comments and string literals are not.
 * The catalog check in `catalog-guard.ts` backs this up for what a reading of the text cannot see.
 */

/** An object a statement creates or writes to. */
export interface SqlObjectReference {
  /** What the statement does, e.g. `CREATE TABLE`, `ALTER TABLE`, `INSERT INTO`. */
  action: string;
  /** The object's name without schema, lower-cased unless quoted. */
  name: string;
  /** The schema when the name was qualified. */
  schema?: string;
}

const identifier = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const qualified = String.raw`(${identifier}(?:\s*\.\s*${identifier})?)`;
const qualifiedList = String.raw`(${identifier}(?:\s*\.\s*${identifier})?(?:\s*,\s*${identifier}(?:\s*\.\s*${identifier})?)*)`;
const ifNotExists = String.raw`(?:IF\s+NOT\s+EXISTS\s+)?`;
const ifExists = String.raw`(?:IF\s+EXISTS\s+)?`;

/** Statement shapes and the action they stand for; each captures the object name as group 1. */
const patterns: Array<[string, RegExp]> = [
  [
    'CREATE TABLE',
    new RegExp(
      String.raw`\bCREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?TABLE\s+${ifNotExists}${qualified}`,
      'gi',
    ),
  ],
  [
    'CREATE INDEX',
    new RegExp(
      String.raw`\bCREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?${ifNotExists}(?!ON\b)${qualified}`,
      'gi',
    ),
  ],
  [
    'INDEX ON',
    new RegExp(
      String.raw`\bINDEX\s+(?:CONCURRENTLY\s+)?(?:${ifNotExists}${identifier}\s+)?ON\s+(?:ONLY\s+)?${qualified}`,
      'gi',
    ),
  ],
  [
    'CREATE SEQUENCE',
    new RegExp(String.raw`\bCREATE\s+(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?SEQUENCE\s+${ifNotExists}${qualified}`, 'gi'),
  ],
  ['CREATE TYPE', new RegExp(String.raw`\bCREATE\s+TYPE\s+${qualified}`, 'gi')],
  ['CREATE DOMAIN', new RegExp(String.raw`\bCREATE\s+DOMAIN\s+${qualified}`, 'gi')],
  [
    'CREATE VIEW',
    new RegExp(
      String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:MATERIALIZED\s+)?VIEW\s+${ifNotExists}${qualified}`,
      'gi',
    ),
  ],
  [
    'CREATE FUNCTION',
    new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+${qualified}`, 'gi'),
  ],
  [
    'CREATE TRIGGER',
    new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+${qualified}`, 'gi'),
  ],
  [
    'TRIGGER ON',
    new RegExp(String.raw`\bTRIGGER\s+${identifier}\s+(?:BEFORE|AFTER|INSTEAD\s+OF)\b[^;]*?\bON\s+${qualified}`, 'gi'),
  ],
  ['CREATE SCHEMA', new RegExp(String.raw`\bCREATE\s+SCHEMA\s+${ifNotExists}${qualified}`, 'gi')],
  [
    'ALTER',
    new RegExp(
      String.raw`\bALTER\s+(?:TABLE|INDEX|SEQUENCE|TYPE|VIEW|MATERIALIZED\s+VIEW|DOMAIN|FUNCTION)\s+${ifExists}(?:ONLY\s+)?${qualified}`,
      'gi',
    ),
  ],
  ['RENAME TO', new RegExp(String.raw`\bRENAME\s+TO\s+${qualified}`, 'gi')],
  [
    'DROP',
    new RegExp(
      String.raw`\bDROP\s+(?:TABLE|INDEX|SEQUENCE|TYPE|VIEW|MATERIALIZED\s+VIEW|DOMAIN|FUNCTION|PROCEDURE|SCHEMA)\s+(?:CONCURRENTLY\s+)?${ifExists}${qualifiedList}`,
      'gi',
    ),
  ],
  ['TRUNCATE', new RegExp(String.raw`\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?${qualifiedList}`, 'gi')],
  ['INSERT INTO', new RegExp(String.raw`\bINSERT\s+INTO\s+${qualified}`, 'gi')],
  ['UPDATE', new RegExp(String.raw`\bUPDATE\s+(?:ONLY\s+)?${qualified}\s+SET\b`, 'gi')],
  ['DELETE FROM', new RegExp(String.raw`\bDELETE\s+FROM\s+(?:ONLY\s+)?${qualified}`, 'gi')],
  [
    'COMMENT ON',
    new RegExp(String.raw`\bCOMMENT\s+ON\s+(?:TABLE|COLUMN|INDEX|SEQUENCE|TYPE|VIEW)\s+${qualified}`, 'gi'),
  ],
];

/** Every object `sql` creates, alters, drops or writes to. */
export function scanSqlObjects(sql: string): SqlObjectReference[] {
  const code = stripCommentsAndStrings(sql);
  const found: SqlObjectReference[] = [];
  for (const [action, pattern] of patterns) {
    for (const match of code.matchAll(pattern)) {
      for (const item of (match[1] as string).split(',')) {
        const parts = splitQualified(item);
        // COMMENT ON COLUMN table.column names the table first.
        const columnComment = action === 'COMMENT ON' && parts.length === 2 && !isSchemaName(parts[0]);
        const [schema, name] = parts.length === 2 && !columnComment ? parts : [undefined, parts[0]];
        found.push({ action, name: name as string, schema });
      }
    }
  }
  return found;
}

function isSchemaName(part: string | undefined): boolean {
  return part === 'public' || part === 'pg_catalog' || part === 'information_schema';
}

/** `a.b`, `"A".b` → parts, unquoting and lower-casing unquoted identifiers as PostgreSQL does. */
function splitQualified(text: string): string[] {
  const parts = text.match(new RegExp(identifier, 'g')) ?? [];
  return parts.map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase()));
}

/** Blanks out comments and quoted literals (keeping dollar-quoted bodies, which are code). */
function stripCommentsAndStrings(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i, i + 2);
    if (rest === '--') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (rest === '/*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith('/*', i)) ((depth += 1), (i += 2));
        else if (sql.startsWith('*/', i)) ((depth -= 1), (i += 2));
        else i += 1;
      }
      out += ' ';
    } else if (sql[i] === "'") {
      i += 1;
      while (i < sql.length && !(sql[i] === "'" && sql[i + 1] !== "'")) i += sql[i] === "'" ? 2 : 1;
      i += 1;
      out += "''";
    } else if (/\$[A-Za-z_0-9]*\$/y.test(sql.slice(i, i + 64))) {
      // Dollar quote delimiters are dropped; the body stays and is read as SQL.
      const tag = (/^\$[A-Za-z_0-9]*\$/.exec(sql.slice(i)) as RegExpExecArray)[0];
      out += ' ';
      i += tag.length;
    } else {
      out += sql[i];
      i += 1;
    }
  }
  return out;
}

/**
 * The references in `sql` that break the module's prefix rule, as messages naming statement and object. A table
 * the manifest `adopts`, and the indexes, constraints and sequences named after it (`endpoint_pkey`), may be
 * altered — renamed into the prefix — but nothing else.
 */
export function prefixViolations(sql: string, tablePrefix: string, adopts: readonly string[] = []): string[] {
  return scanSqlObjects(sql)
    .filter((ref) => !(ref.action === 'ALTER' && ref.schema === undefined && isAdopted(ref.name, adopts)))
    .filter((ref) => (ref.schema !== undefined && ref.schema !== 'public') || !ref.name.startsWith(tablePrefix))
    .map((ref) =>
      ref.schema !== undefined && ref.schema !== 'public'
        ? `${ref.action} ${ref.schema}.${ref.name}: modules keep their objects in the public schema`
        : `${ref.action} ${ref.name}: the name must start with the module's table prefix "${tablePrefix}"`,
    );
}

/** Whether `name` is an adopted legacy table, or named after one (`endpoint_pkey`, `consumption_reading_id_seq`). */
export function isAdopted(name: string, adopts: readonly string[]): boolean {
  return adopts.some((table) => name === table || name.startsWith(`${table}_`));
}
