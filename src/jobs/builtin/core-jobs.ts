import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobDefinition } from '../job-types.js';
import { coreJobOwner, type JobOwner } from '../registered-job.js';

/** The core's own jobs, registered like a module's and shown on the Jobs page under `core`. */
export const coreJobs: Record<string, JobDefinition> = {
  'retention-cleanup': {
    name: 'Retention cleanup',
    description: 'Deletes finished executions and events older than their retention period (the config below).',
    handler: './retention-cleanup',
    schedule: '17 * * * *',
    timeout: 10 * 60_000,
    retries: 1,
    config: {
      executionDays: {
        type: 'number',
        label: 'Keep executions (days)',
        description: 'Finished executions and their logs older than this are deleted.',
        default: 30,
        min: 1,
        max: 3650,
        required: true,
      },
      eventDays: {
        type: 'number',
        label: 'Keep events (days)',
        description: 'Events older than this are deleted.',
        default: 30,
        min: 1,
        max: 3650,
        required: true,
      },
    },
  },
};

/** The owner of the core's jobs: their handlers live next to this file; they may use the database. */
export const coreOwner: JobOwner = {
  name: coreJobOwner,
  directory: path.dirname(fileURLToPath(import.meta.url)),
  entry: './core-jobs.js',
  capabilities: ['database:read', 'database:write'],
  settings: () => ({}),
};
