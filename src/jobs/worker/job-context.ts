import type { Sequelize } from 'sequelize';
import { roleStartupOption } from '../../db/role-option.js';
import { capabilityDenied } from '../../services/capabilities.js';
import type { JobContext } from '../job-types.js';
import type { WorkerRunData } from '../worker-protocol.js';
import { createJobLogger } from './job-logger.js';
import { createJobServices } from './job-services.js';
import type { WorkerPort } from './worker-port.js';

/** A job's context and how to close what it opened (its database connection, browser pages). */
export interface BuiltJobContext {
  context: JobContext;
  close(): Promise<void>;
}

/**
 * Builds the JobContext in the worker thread. The database connection is the run's own: Sequelize is loaded
 * and a pool of at most two connections created only for a module with a `database:*` capability, and closed
 * when the handler ends.
 */
export async function createJobContext(run: WorkerRunData, port: WorkerPort): Promise<BuiltJobContext> {
  const logger = createJobLogger(port);
  const canUseDatabase = run.capabilities.some((capability) => capability.startsWith('database:'));
  const [jobServices, sequelize] = await Promise.all([
    createJobServices(run, port, logger),
    canUseDatabase
      ? openDatabase(run.databaseUrl, `nxforge job ${run.module}/${run.job}`, run.databaseRole)
      : undefined,
  ]);

  const context: JobContext = {
    executionId: run.executionId,
    module: run.module,
    job: run.job,
    trigger: run.trigger,
    attempt: run.attempt,
    data: run.data,
    config: Object.freeze({ ...run.config }),
    settings: Object.freeze({ ...run.settings }),
    logger,
    services: jobServices.services,
    get db(): Sequelize {
      if (!sequelize) throw capabilityDenied('database:read', run.module, 'context.db');
      return sequelize;
    },
    events: {
      emit: (name, payload, options) =>
        port.call<void>('emit', { name, payload: payload ?? null, severity: options?.severity }),
    },
    signal: port.signal,
  };

  return {
    context,
    async close() {
      await jobServices.close();
      await sequelize?.close();
    },
  };
}

async function openDatabase(url: string, applicationName: string, role?: string): Promise<Sequelize> {
  const { Sequelize } = await import('sequelize');
  // No query is made here: the first one the handler makes opens the connection. The application name shows
  // the job's connections in pg_stat_activity; the role, set at connection start, keeps it to its module's tables.
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: 2, min: 0, idle: 1000 },
    dialectOptions: {
      application_name: applicationName.slice(0, 63),
      ...(role ? { options: roleStartupOption(role) } : {}),
    },
  });
}
