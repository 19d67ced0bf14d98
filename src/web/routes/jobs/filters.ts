import { severities, type Severity } from '../../../events/event-bus.js';
import type { EventFilters } from '../../../events/event-store.js';
import type { ExecutionFilters } from '../../../jobs/execution-store.js';
import { executionStatuses, type ExecutionStatus } from '../../../jobs/job-types.js';
import { NxfError } from '../../../errors.js';
import type { AppContext } from '../../../http/app-context.js';
import { queryDay, queryPaging, queryText } from '../../query.js';

/** A filter form as submitted (to show it again) and what is wrong with it, by field. */
export interface ParsedFilters<F> {
  filters: F;
  form: Record<string, string>;
  errors: Record<string, string>;
}

/**
 * `since` / `until`: a day (`2026-11-26`, `until` counting the whole day) or an ISO timestamp. Anything else is
 * an error on the field rather than a silently ignored filter.
 */
function time(value: string, field: string, errors: Record<string, string>, endOfDay: boolean): Date | undefined {
  if (value === '') return undefined;
  const date = queryDay(value, endOfDay ? 1 : 0) ?? (/^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined);
  if (!date || Number.isNaN(date.getTime())) {
    errors[field] = 'A date (2026-11-26) or an ISO time (2026-11-26T06:00:00Z).';
    return undefined;
  }
  return date;
}

const name = /^[a-z0-9_.*-]*$/i;

/** The filter form's fields as submitted (trimmed text, '' when absent). */
const formOf = (ctx: AppContext, keys: string[]) => Object.fromEntries(keys.map((key) => [key, queryText(ctx, key)]));

/** The executions filter (page and API): module, job, status, since, until, limit, offset. */
export function executionFilters(ctx: AppContext): ParsedFilters<ExecutionFilters> {
  const form = formOf(ctx, ['module', 'job', 'status', 'since', 'until']);
  const errors: Record<string, string> = {};
  for (const key of ['module', 'job'] as const) if (!name.test(form[key]!)) errors[key] = 'Letters, digits and dashes.';
  if (form.status && !executionStatuses.includes(form.status as ExecutionStatus)) {
    errors.status = `One of ${executionStatuses.join(', ')}.`;
  }
  const filters: ExecutionFilters = {
    module: form.module || undefined,
    job: form.job || undefined,
    status: (form.status || undefined) as ExecutionStatus | undefined,
    since: time(form.since!, 'since', errors, false),
    until: time(form.until!, 'until', errors, true),
    ...queryPaging(ctx, { defaultLimit: 50, maxLimit: 500 }),
  };
  return { filters, form, errors };
}

/** The events filter (page and API): name (or prefix*), source, minimum severity, since, until, after, limit. */
export function eventFilters(ctx: AppContext): ParsedFilters<EventFilters> {
  const form = formOf(ctx, ['name', 'source', 'severity', 'since', 'until']);
  const errors: Record<string, string> = {};
  if (!name.test(form.name!) || form.name!.slice(0, -1).includes('*')) {
    errors.name = 'An event name, or a prefix ending in * (job.*).';
  }
  if (!name.test(form.source!)) errors.source = 'A module name or core.';
  if (form.severity && !severities.includes(form.severity as Severity))
    errors.severity = `One of ${severities.join(', ')}.`;
  const id = (key: string) => (/^\d{1,18}$/.test(queryText(ctx, key)) ? queryText(ctx, key) : undefined);
  const filters: EventFilters = {
    name: form.name || undefined,
    source: form.source || undefined,
    severity: (form.severity || undefined) as Severity | undefined,
    since: time(form.since!, 'since', errors, false),
    until: time(form.until!, 'until', errors, true),
    afterId: id('after'),
    beforeId: id('before'),
    limit: queryPaging(ctx, { defaultLimit: 100, maxLimit: 500 }).limit,
  };
  return { filters, form, errors };
}

/** For the API: refuses a filter with errors, naming them. @throws NxfError NXF_VALIDATION (400). */
export function assertValidFilters(parsed: ParsedFilters<unknown>): void {
  const entries = Object.entries(parsed.errors);
  if (entries.length === 0) return;
  throw new NxfError('NXF_VALIDATION', entries.map(([field, message]) => `${field}: ${message}`).join(' '), {
    status: 400,
    details: parsed.errors,
  });
}

/** The filter as a query string (without paging), for links that keep it. */
export function filterQuery(form: Record<string, string>, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...form, ...extra })) if (value !== '') params.set(key, String(value));
  return params.toString();
}
