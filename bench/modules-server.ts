import Router from '@koa/router';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { startNxforge } from '../src/nxforge.js';
import { repoRoot } from './lib.js';
import type { AppState } from '../src/http/app-context.js';
import { requireLogin } from '../src/web/middleware/guards.js';
import { createEta } from '../src/web/render/eta.js';

/**
 * The NxForge that bench:modules measures, in a child process: the bench module installed and enabled, plus a
 * core route serving the module's very view through the core renderer, so the two pages differ only by the
 * module dispatch. Answers the parent's messages: `cycles` times enable/disable cycles.
 */
const moduleDir = path.join(repoRoot, 'bench', 'fixtures', 'bench-module');
const eta = createEta(path.join(moduleDir, 'views'));
const twin = new Router<AppState>();
const actor = { name: 'bench' };

// Routes must exist before the app is built; the handler reaches the views once the server runs.
twin.get('/bench-core/page', requireLogin(), (ctx) => {
  const { views } = running.services;
  const html = eta.render('page', { ...views.common(ctx), title: 'Bench page', rows: [1, 2, 3, 4, 5] });
  views.send(ctx, html, { title: 'Bench page' });
});
const running = await startNxforge(loadConfig(), {
  routers: [twin],
  bundledModulesDir: path.join(repoRoot, 'bench', 'fixtures', 'no-bundled-modules'),
});
const { modules } = running.services;
await modules.installFromDirectory(moduleDir, 'installed', actor);
await modules.enable('bench', actor);

/** Times `cycles` disable + enable cycles; returns the durations in ms. */
async function cycle(cycles: number): Promise<{ enableMs: number[]; disableMs: number[] }> {
  const enableMs: number[] = [];
  const disableMs: number[] = [];
  for (let i = 0; i < cycles; i += 1) {
    let started = performance.now();
    await modules.disable('bench', actor);
    disableMs.push(performance.now() - started);
    started = performance.now();
    await modules.enable('bench', actor);
    enableMs.push(performance.now() - started);
  }
  return { enableMs, disableMs };
}

process.on('message', (message: { cycles: number }) => {
  void cycle(message.cycles).then((result) => process.send?.({ result }));
});
process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
process.send?.({ url: running.url });
