import type { SettingDefinition } from '../settings/setting-values.js';
import { effectiveSettings, type SettingValue } from '../settings/setting-values.js';
import type { Execution, ExecutionStore } from './execution-store.js';
import type { JobState, JobStateStore } from './job-state-store.js';
import { coreJobOwner, jobKey, nextRunAt, type RegisteredJob } from './registered-job.js';

/** A registered job as the Jobs page and `GET /api/v1/jobs` show it. */
export interface JobStatus {
  /** `module/job`. */
  key: string;
  module: string;
  job: string;
  name: string;
  description: string;
  /** Cron expression, or null for on demand only. */
  schedule: string | null;
  timeoutMs: number;
  retries: number;
  paused: boolean;
  /** When the schedule fires next; none while paused or for an on-demand job. */
  nextRunAt?: Date;
  /** Queued or running executions, in any NxForge process. */
  active: Execution[];
  lastExecution?: Execution;
  /** Effective config values (saved, else defaults). */
  config: Record<string, SettingValue | undefined>;
  configDefinitions: Record<string, SettingDefinition>;
  /** Who last paused, resumed or configured it. */
  updatedBy: string | null;
  /** True for the core's own jobs. */
  builtin: boolean;
}

/** Puts together what is known about a job. */
function jobStatus(
  job: RegisteredJob,
  state: JobState,
  executions: { last?: Execution; active: Execution[] },
  defaultTimeoutMs: number,
): JobStatus {
  const definitions = job.definition.config ?? {};
  return {
    key: job.key,
    module: job.module,
    job: job.job,
    name: job.definition.name,
    description: job.definition.description,
    schedule: job.definition.schedule,
    timeoutMs: job.definition.timeout ?? defaultTimeoutMs,
    retries: job.definition.retries ?? 0,
    paused: state.paused,
    nextRunAt: state.paused ? undefined : nextRunAt(job),
    active: executions.active,
    lastExecution: executions.last,
    config: effectiveSettings(definitions, state.config),
    configDefinitions: definitions,
    updatedBy: state.updatedBy,
    builtin: job.module === coreJobOwner,
  };
}

const noState: JobState = { paused: false, config: {}, updatedAt: null, updatedBy: null };

/** The status of each of `jobs` (sorted by module and job), from their stored states and executions. */
export async function describeJobs(
  jobs: RegisteredJob[],
  sources: { states: JobStateStore; executions: ExecutionStore },
  defaultTimeoutMs: number,
): Promise<JobStatus[]> {
  const [states, latest, unfinished] = await Promise.all([
    sources.states.all(),
    sources.executions.latestPerJob(jobs),
    sources.executions.unfinished(),
  ]);
  return jobs
    .map((job) =>
      jobStatus(
        job,
        states.get(job.key) ?? noState,
        { last: latest.get(job.key), active: unfinished.filter((e) => jobKey(e.module, e.job) === job.key) },
        defaultTimeoutMs,
      ),
    )
    .sort((a, b) => a.module.localeCompare(b.module) || a.job.localeCompare(b.job));
}
