import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { runJob } from './jobs.js';
import { copyModuleFixture, installAndEnable } from './modules.js';
import type { TestServer } from './server.js';

/** A signed-in role of the core pages' tests, with its password. */
export const corePageUsers = {
  operator: { username: 'otto', password: 'operator-password', role: 'operator' },
  viewer: { username: 'vera', password: 'viewer-password', role: 'viewer' },
} as const;

/** What the seeded console holds, for the paths that name a record. */
export interface SeededConsole {
  channelId: string;
  ruleId: string;
  executionId: string;
  receiver: WebhookReceiver;
  /** Removes the module copies and stops the webhook receiver. */
  remove(): Promise<void>;
}

/**
 * Fills a server with what every core page lists: the dummy module (widget, settings, a job every five seconds)
 * and the lab module (many jobs), an operator and a viewer, a webhook channel with a delivered test, a rule, a
 * succeeded and a failed execution with their events, and the audit lines all of that leaves.
 */
export async function seedConsole(server: TestServer): Promise<SeededConsole> {
  const dummy = await copyModuleFixture();
  const lab = await copyModuleFixture({ fixture: 'lab-module' });
  await installAndEnable(server, dummy.dir);
  await installAndEnable(server, lab.dir);
  for (const user of Object.values(corePageUsers)) await server.services.users.create({ ...user });
  const receiver = await startWebhookReceiver();
  const { notifications } = server.services.toolkit;
  const channel = await notifications.channels.create({
    name: 'ops-webhook',
    type: 'webhook',
    enabled: true,
    values: { url: `${receiver.url}/hook` },
  });
  await notifications.sendTest(channel.id, 'admin');
  const rule = await server.services.rules.store.create({
    name: 'Failed jobs',
    eventPattern: 'job.failed',
    minSeverity: 'warning',
    quietSeconds: 900,
    enabled: true,
    channelIds: [channel.id],
  });
  // Audit lines as wide as real ones get: an IPv6 source, a long error in the details.
  await server.services.audit.record({
    action: 'module.enable',
    outcome: 'failure',
    actorName: 'admin',
    target: 'consumption-monitor',
    sourceIp: '2001:db8:85a3:0:0:8a2e:370:7334',
    details: {
      error: 'migration 002_add_notes.js could not be loaded: Unexpected token export',
      code: 'NXF_MIGRATION_LOAD',
    },
  });
  await server.services.audit.record({
    action: 'settings.channel_test',
    outcome: 'success',
    actorName: 'admin',
    target: 'ops-webhook',
    sourceIp: '127.0.0.1',
    details: { type: 'webhook', attempts: 1 },
  });
  const execution = await runJob(server, 'lab', 'echo', { note: 'seeded' });
  await runJob(server, 'lab', 'throws');
  return {
    channelId: channel.id,
    ruleId: rule.id,
    executionId: execution.id,
    receiver,
    remove: async () => {
      await receiver.close();
      await dummy.remove();
      await lab.remove();
    },
  };
}

/** Every core page a signed-in administrator sees, by name. */
export function adminPagePaths(seed: SeededConsole): Record<string, string> {
  return {
    dashboard: '/',
    users: '/admin/users',
    modules: '/admin/modules',
    'module detail': '/admin/modules/dummy',
    'module settings': '/admin/modules/dummy/settings',
    'module uninstall': '/admin/modules/dummy/uninstall',
    audit: '/admin/audit',
    notifications: '/settings/notifications',
    'new channel': '/settings/notifications/new/webhook',
    'edit channel': `/settings/notifications/${seed.channelId}/edit`,
    rules: '/settings/notification-rules',
    'edit rule': `/settings/notification-rules/${seed.ruleId}/edit`,
    jobs: '/jobs',
    job: '/jobs/lab/echo',
    executions: '/executions',
    execution: `/executions/${seed.executionId}`,
    events: '/events',
    profile: '/profile',
    'not found': '/no-such-page',
  };
}
