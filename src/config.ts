import path from 'node:path';
import { availableParallelism } from 'node:os';
import { NxfError } from './errors.js';

/** Everything NxForge reads from its environment, validated. */
export interface Config {
  /** TCP port the web server listens on (`PORT`, default 3000; 0 lets the system pick a free one). */
  port: number;
  /** Address the web server binds (`NXFORGE_HOST`, default all interfaces). */
  host: string;
  /** Root of everything NxForge writes: embedded PostgreSQL, installed modules, storage (`NXFORGE_DATA_DIR`). */
  dataDir: string;
  /** External PostgreSQL; when absent an embedded one runs under `<dataDir>/postgres` (`DATABASE_URL`). */
  databaseUrl?: string;
  /** Password for the `admin` user created on first boot (`NXFORGE_ADMIN_PASSWORD`). */
  adminPassword?: string;
  /** Key material for sessions and encrypted credentials (`NXFORGE_SECRET`); generated into the data dir when unset. */
  secret?: string;
  /** pino level (`NXFORGE_LOG_LEVEL`, default info). */
  logLevel: LogLevel;
  /** Trust X-Forwarded-* headers from a reverse proxy (`NXFORGE_TRUST_PROXY`). */
  trustProxy: boolean;
  /** Server processes sharing the port (`NXFORGE_WORKERS`: a count, or `auto` for one per core; default 1). */
  workers: number;
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** The NXFORGE_* variables NxForge knows; any other is refused so a typo cannot silently fall back to a default. */
const knownPrefixed = [
  'NXFORGE_DATA_DIR',
  'NXFORGE_ADMIN_PASSWORD',
  'NXFORGE_SECRET',
  'NXFORGE_HOST',
  'NXFORGE_LOG_LEVEL',
  'NXFORGE_TRUST_PROXY',
  'NXFORGE_WORKERS',
];

/** More worker processes than this is a typo, not a deployment. */
export const maxWorkers = 64;

export const minAdminPasswordLength = 12;
export const minSecretLength = 32;

/**
 * Reads and validates the configuration. Collects every problem before failing, so one start attempt shows them all.
 * @throws NxfError NXF_CONFIG_INVALID listing each bad variable and what is expected.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  for (const name of Object.keys(env)) {
    if (name.startsWith('NXFORGE_') && !knownPrefixed.includes(name)) {
      problems.push(`${name} is not a NxForge setting (known: ${knownPrefixed.join(', ')})`);
    }
  }

  const port = parsePort(read('PORT'), problems);
  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@host:5432/nxforge',
    );
  }
  const adminPassword = read('NXFORGE_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < minAdminPasswordLength) {
    problems.push(`NXFORGE_ADMIN_PASSWORD must be at least ${minAdminPasswordLength} characters`);
  }
  const secret = read('NXFORGE_SECRET');
  if (secret !== undefined && secret.length < minSecretLength) {
    problems.push(`NXFORGE_SECRET must be at least ${minSecretLength} characters (e.g. openssl rand -hex 32)`);
  }
  const logLevel = (read('NXFORGE_LOG_LEVEL') ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    problems.push(`NXFORGE_LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  }
  const trustProxy = parseBoolean('NXFORGE_TRUST_PROXY', read('NXFORGE_TRUST_PROXY'), problems);
  const workers = parseWorkers(read('NXFORGE_WORKERS'), problems);

  if (problems.length > 0) {
    throw new NxfError('NXF_CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      details: problems,
    });
  }
  return {
    port,
    host: read('NXFORGE_HOST') ?? '0.0.0.0',
    dataDir: path.resolve(cwd, read('NXFORGE_DATA_DIR') ?? 'data'),
    databaseUrl,
    adminPassword,
    secret,
    logLevel,
    trustProxy,
    workers,
  };
}

function parseWorkers(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 1;
  if (raw === 'auto') return availableParallelism();
  const workers = Number(raw);
  if (!/^\d+$/.test(raw) || workers < 1 || workers > maxWorkers) {
    problems.push(`NXFORGE_WORKERS must be "auto" or an integer from 1 to ${maxWorkers}, got "${raw}"`);
  }
  return workers;
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(`PORT must be an integer from 0 (any free port) to 65535, got "${raw}"`);
  }
  return port;
}

function parseBoolean(name: string, raw: string | undefined, problems: string[]): boolean {
  if (raw === undefined) return false;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return false;
}

function isPostgresUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}
