import { expect } from 'chai';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runJob } from '../helpers/jobs.js';
import { copyMinimalModule, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('a module written in TypeScript against nxforge/module', () => {
  it('compiles with the published types and runs', async () => {
    // typed-module.ts is compiled by the test build with `import type … from 'nxforge/module'`.
    const compiled = fileURLToPath(new URL('./typed-module.js', import.meta.url));
    const copy = await copyMinimalModule('typed', {
      manifest: (m) => {
        m.ui.routes = [{ path: '/typed' }, { path: '/typed/wall' }];
        m.ui.sidebar.children = [
          { label: 'Typed', path: '/typed' },
          { label: 'Wall', path: '/typed/wall', kiosk: true },
        ];
        m.settings = { greeting: { type: 'string', label: 'Greeting', default: 'from settings' } };
        // The typed module also reads a BMC over IPMI (compiled against the published types, not called here).
        m.routes = [{ method: 'GET', path: '/bmc' }];
        m.permissions = ['network:outbound'];
      },
      files: {
        'views/home.eta': '<h1><%= it.title %></h1><p><%= it.greeting %></p>\n',
        'views/wall.eta': '<p class="wall"><%= it.display %>, rack <%= it.rack %>, <%= it.theme %></p>\n',
      },
    });
    const server = await startTestServer();
    try {
      await mkdir(path.join(copy.dir, 'dist'), { recursive: true });
      await copyFile(compiled, path.join(copy.dir, 'dist', 'index.js'));
      await installAndEnable(server, copy.dir);
      const client = new WebClient(server.url);
      await client.login('admin', testAdminPassword);
      const page = await client.get('/typed');
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('<h1>Typed</h1><p>from settings</p>');
      // Its kiosk page, as a display sees it: the display's name, filter and theme from `state.kiosk`.
      const { token } = await server.services.displays.create({
        name: 'Typed wall',
        pages: ['/typed/wall'],
        rotateSeconds: 30,
        refreshMs: 30_000,
        theme: 'contrast',
        filter: { rack: 'R1' },
      });
      const wall = await fetch(`${server.url}/kiosk/${token}`);
      expect(await wall.text()).to.contain('<p class="wall">Typed wall, rack R1, contrast</p>');
    } finally {
      await server.close();
      await copy.remove();
    }
  });

  it('runs a job handler typed with JobHandler and JobContext', async () => {
    const compiled = fileURLToPath(new URL('./typed-job.js', import.meta.url));
    const copy = await copyMinimalModule('typed-job', {
      manifest: (m) => {
        m.jobs = {
          check: {
            name: 'Check',
            description: 'A typed job',
            handler: './jobs/check',
            schedule: null,
            config: { threshold: { type: 'number', label: 'Threshold', default: 12 } },
          },
        };
      },
    });
    const server = await startTestServer();
    try {
      await mkdir(path.join(copy.dir, 'dist', 'jobs'), { recursive: true });
      await copyFile(compiled, path.join(copy.dir, 'dist', 'jobs', 'check.js'));
      await installAndEnable(server, copy.dir);
      const execution = await runJob(server, 'typed-job', 'check');
      expect(execution.status, execution.error ?? '').to.equal('succeeded');
      expect(execution.result).to.deep.equal({ success: true, data: { over: true } });
      const [event] = await server.services.eventStore.list({ name: 'typed-job.checked' });
      expect(event).to.include({ source: 'typed-job', subject: 'typed' });
    } finally {
      await server.close();
      await copy.remove();
    }
  });
});
