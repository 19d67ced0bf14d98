import { expect } from 'chai';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyMinimalModule, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('a module written in TypeScript against nxforge/module', () => {
  it('compiles with the published types and runs', async () => {
    // typed-module.ts is compiled by the test build with `import type … from 'nxforge/module'`.
    const compiled = fileURLToPath(new URL('./typed-module.js', import.meta.url));
    const copy = await copyMinimalModule('typed', {
      manifest: (m) => {
        m.ui.routes = [{ path: '/typed' }];
        m.ui.sidebar.children = [{ label: 'Typed', path: '/typed' }];
        m.settings = { greeting: { type: 'string', label: 'Greeting', default: 'from settings' } };
      },
      files: { 'views/home.eta': '<h1><%= it.title %></h1><p><%= it.greeting %></p>\n' },
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
    } finally {
      await server.close();
      await copy.remove();
    }
  });
});
