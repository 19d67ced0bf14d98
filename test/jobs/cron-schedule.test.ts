import later from '@breejs/later';
import { expect } from 'chai';
import { CronExpressionParser } from 'cron-parser';
import { isSchedulableCron } from '../../src/jobs/cron-schedule.js';
import { validateManifest } from '../../src/modules/manifest/manifest-read.js';
import { describeJob, nextRunAt, type JobOwner } from '../../src/jobs/registered-job.js';
import { fixturePath } from '../helpers/modules.js';

/**
 * Every form a manifest's `schedule` may take, each in the field it matters for: the scheduler's runs (bree's
 * later, through `nextRunAt`) must be the runs cron means, with cron-parser, a separate implementation of cron, as
 * the judge.
 */
const accepted = [
  '* * * * *',
  '*/15 * * * *',
  '5 * * * *',
  '5,35 * * * *',
  '10-40 * * * *',
  '10-40/10 * * * *',
  '0 */3 * * *',
  '0 9-17 * * *',
  '0 22,23 * * *',
  '0 0 1 * *',
  '0 0 1,15 * *',
  '0 0 10-12 * *',
  '0 0 */10 * *',
  '0 0 29 2 *',
  '0 0 31 * *',
  '0 0 1 1 *',
  '0 0 1 */3 *',
  '0 0 1 6-8 *',
  '0 0 * * 0',
  '0 0 * * 1-5',
  '0 0 * * 1,3,5',
  '0 0 * * 6',
  '0 0 * * 0,6',
  '0 0 * * */2',
  '0 12 * 1-3 1-5',
  '* * * * * *',
  '*/5 * * * * *',
  '30 */5 * * * *',
  '0 0 12 * * 1-5',
];

/** Forms that parse somewhere but would not run as written, or not at all. */
const refused = [
  '0 0 * * 7', // later: Saturday; cron: Sunday
  '0 0 * * 5-7',
  '0 0 1-7 * 1', // cron: the first seven days and every Monday; later: Mondays among the first seven days
  '0 0 L * *', // bree refuses L, W, #, ? and names
  '0 0 15W * *',
  '0 0 * * 1#2',
  '0 0 ? * 1',
  '0 0 * * MON-FRI',
  '0 0 1 JAN *',
  '@daily',
  '61 * * * *',
  '* * * *',
  '0 0 0 * * * *',
  'every minute',
];

later.date.localTime();

/** The next `count` runs of `expression` after `from`, as cron-parser computes them. */
function cronRuns(expression: string, from: Date, count: number): number[] {
  const runs = CronExpressionParser.parse(expression, { currentDate: from });
  return Array.from({ length: count }, () => runs.next().getTime());
}

/** The next `count` runs of `expression` after `from`, as the scheduler computes them. */
function schedulerRuns(expression: string, from: Date, count: number): number[] {
  const owner: JobOwner = {
    name: 'cron-check',
    directory: fixturePath('dummy-module'),
    entry: './dist/index.js',
    capabilities: [],
    settings: () => ({}),
  };
  const job = describeJob(owner, 'tick', { name: 'Tick', description: 'x', handler: './index', schedule: expression });
  const runs: number[] = [];
  let at = from;
  for (let i = 0; i < count; i += 1) {
    const next = nextRunAt(job, at);
    if (!next) break;
    runs.push(next.getTime());
    at = next;
  }
  return runs;
}

describe('cron schedules: what a manifest accepts is what the scheduler runs', () => {
  // A leap year's February and a month of 31 days, starting on a Wednesday.
  const starts = [new Date(2028, 0, 26, 23, 58, 30), new Date(2026, 6, 1, 0, 0, 0)];

  for (const expression of accepted) {
    it(`runs "${expression}" when cron does`, () => {
      expect(isSchedulableCron(expression), 'accepted').to.equal(true);
      for (const from of starts) {
        expect(schedulerRuns(expression, from, 8).map((t) => new Date(t).toString())).to.deep.equal(
          cronRuns(expression, from, 8).map((t) => new Date(t).toString()),
        );
      }
    });
  }

  for (const expression of refused) {
    it(`refuses "${expression}"`, () => expect(isSchedulableCron(expression)).to.equal(false));
  }

  it('a manifest with a refused schedule names the field and the forms allowed', () => {
    const manifest = {
      name: 'cron-check',
      version: '1.0.0',
      displayName: 'Cron check',
      description: 'x',
      author: 'x',
      entry: './dist/index.js',
      routes: [],
      jobs: { tick: { name: 'Tick', description: 'x', handler: './jobs/tick', schedule: '0 0 * * 7' } },
      migrations: './migrations',
      tablePrefix: 'cc_',
      ui: { views: './views', routes: [{ path: '/cron-check' }], sidebar: { label: 'C', icon: 'x', children: [] } },
      dependencies: {},
      permissions: [],
      settings: {},
    };
    expect(() => validateManifest(manifest))
      .to.throw()
      .with.property('details')
      .that.deep.includes({
        field: 'jobs.tick.schedule',
        message:
          'must be a cron expression such as */15 * * * * (or 6 fields with seconds): numbers, *, lists, ranges and steps; day of week 0–6; not both a day of month and a day of week',
      });
  });
});
