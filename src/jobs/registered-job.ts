import later from '@breejs/later';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { NxfError } from '../errors.js';
import type { JobDefinition } from './job-types.js';
import type { SettingValue } from '../settings/setting-values.js';

// bree schedules cron expressions with later in local time; the times shown must come from the same schedule.
later.date.localTime();

/** Who a job belongs to: a mounted module, or the core itself for its built-in jobs. */
export interface JobOwner {
  /** The module's name (`core` for built-in jobs). */
  name: string;
  /** The module's folder. */
  directory: string;
  /** The module's entry, relative to its folder; job handlers are relative to the entry's folder. */
  entry: string;
  /** The manifest's declared capabilities. */
  capabilities: readonly string[];
  /** The module's database role, taken by its runs' connections; undefined for the core or without isolation. */
  databaseRole?: string;
  /** The module's current settings. */
  settings(): Record<string, SettingValue | undefined>;
}

/** A job the scheduler knows: its manifest definition, where its handler is, and its schedule. */
export interface RegisteredJob {
  /** `module/job`. */
  key: string;
  module: string;
  /** The job's id in the manifest. */
  job: string;
  definition: JobDefinition;
  owner: JobOwner;
  /** Absolute path of the handler module. */
  handlerPath: string;
  /** The parsed cron schedule; undefined for a job that only runs on demand. */
  schedule?: later.ScheduleData;
  /** True for a 6-field cron expression (with seconds). */
  hasSeconds: boolean;
}

/** The name under which the core's own jobs are registered; no module may use it for jobs. */
export const coreJobOwner = 'core';

/** `module/job`. */
export function jobKey(module: string, job: string): string {
  return `${module}/${job}`;
}

/**
 * Describes a job for the scheduler.
 * @throws NxfError NXF_JOB_HANDLER when the handler lies outside the module or its file is missing.
 */
export function describeJob(owner: JobOwner, id: string, definition: JobDefinition): RegisteredJob {
  const handlerPath = resolveHandler(owner, id, definition.handler);
  const expression = definition.schedule?.trim();
  const hasSeconds = expression !== undefined && expression.split(/\s+/).length === 6;
  // bree validates the expression when the job is added (NXF_JOB_SCHEDULE); later only parses it.
  const schedule = expression ? later.parse.cron(expression, hasSeconds) : undefined;
  return {
    key: jobKey(owner.name, id),
    module: owner.name,
    job: id,
    definition,
    owner,
    handlerPath,
    schedule,
    hasSeconds,
  };
}

/**
 * The handler's file: relative to the entry's folder (`./jobs/tick` → `dist/jobs/tick.js`), as the reference
 * manifest writes it, or relative to the module's folder (`./dist/jobs/tick.js`), as every other manifest path is;
 * `.js` is added when the handler has no extension. The first that exists is taken.
 */
function resolveHandler(owner: JobOwner, id: string, handler: string): string {
  const root = path.resolve(owner.directory);
  const entryDir = path.dirname(path.resolve(root, owner.entry));
  const withExtension = /\.(m?js)$/.test(handler) ? handler : `${handler}.js`;
  const candidates = [...new Set([path.resolve(entryDir, withExtension), path.resolve(root, withExtension)])].filter(
    (file) => file.startsWith(`${root}${path.sep}`),
  );
  if (candidates.length === 0) {
    throw new NxfError('NXF_JOB_HANDLER', `${owner.name}/${id}: the handler ${handler} lies outside the module.`, {
      status: 400,
    });
  }
  const found = candidates.find((file) => existsSync(file));
  if (!found) {
    const lookedFor = candidates.map((file) => path.relative(root, file));
    const entryFolder = path.relative(root, entryDir);
    const forms = entryFolder
      ? `relative to the entry's folder ${entryFolder}/ (./jobs/${id}) or to the module's folder (./${entryFolder}/jobs/${id}.js)`
      : `relative to the module's folder (./jobs/${id})`;
    throw new NxfError(
      'NXF_JOB_HANDLER',
      `${owner.name}/${id}: the handler ${handler} was not found (looked for ${lookedFor.join(' and ')}); write it ${forms}.`,
      { status: 400, details: { handler, lookedFor } },
    );
  }
  return found;
}

/** The next time the job's schedule fires after `from`; undefined for an on-demand job. */
export function nextRunAt(job: RegisteredJob, from = new Date()): Date | undefined {
  if (!job.schedule) return undefined;
  const next = later.schedule(job.schedule).next(1, new Date(from.getTime() + 1000 - (from.getTime() % 1000)));
  return next instanceof Date ? next : undefined;
}

/**
 * The cron occurrence a timer that fired at `firedAt` is for: the latest occurrence at or before it, to the
 * second. Every process derives the same occurrence from its own timer, which makes it the exactly-once key.
 */
export function occurrenceAt(job: RegisteredJob, firedAt: Date): Date | undefined {
  if (!job.schedule) return undefined;
  // A timer may fire a hair early; later's occurrences carry the milliseconds of the reference time.
  const previous = later.schedule(job.schedule).prev(1, new Date(firedAt.getTime() + 50));
  if (!(previous instanceof Date)) return undefined;
  return new Date(previous.getTime() - (previous.getTime() % 1000));
}
