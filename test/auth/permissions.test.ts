import { expect } from 'chai';
import { permissionCovers, roleHasPermission, type Role } from '../../src/auth/permissions.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('permission patterns', () => {
  it('match exactly or through wildcards', () => {
    expect(permissionCovers('*', 'users:manage')).to.equal(true);
    expect(permissionCovers('*:read', 'consumption-monitor:read')).to.equal(true);
    expect(permissionCovers('*:read', 'consumption-monitor:write')).to.equal(false);
    expect(permissionCovers('consumption-monitor:*', 'consumption-monitor:write')).to.equal(true);
    expect(permissionCovers('consumption-monitor:*', 'temperature-monitor:read')).to.equal(false);
    expect(permissionCovers('jobs:run', 'jobs:run')).to.equal(true);
    expect(permissionCovers('jobs', 'jobs:run')).to.equal(false);
  });

  it('give each role its documented reach', () => {
    const table: Array<[Role, string, boolean]> = [
      ['admin', 'users:manage', true],
      ['admin', 'anything:at-all', true],
      ['operator', 'users:manage', false],
      ['operator', 'modules:manage', false],
      ['operator', 'settings:manage', false],
      ['operator', 'jobs:run', true],
      ['operator', 'temperature-monitor:write', true],
      ['viewer', 'temperature-monitor:read', true],
      ['viewer', 'temperature-monitor:write', false],
      ['viewer', 'jobs:run', false],
    ];
    for (const [role, permission, expected] of table) {
      expect(roleHasPermission(role, permission), `${role} ${permission}`).to.equal(expected);
    }
  });
});

describe('routes by role', () => {
  let server: TestServer;
  const clients: Record<string, WebClient> = {};

  before(async () => {
    server = await startTestServer();
    for (const role of ['operator', 'viewer'] as const) {
      await server.services.users.create({ username: role, password: `${role}-password-1`, role });
    }
    for (const [name, password] of [
      ['admin', testAdminPassword],
      ['operator', 'operator-password-1'],
      ['viewer', 'viewer-password-1'],
    ] as const) {
      clients[name] = new WebClient(server.url);
      expect((await clients[name].login(name, password)).status).to.equal(303);
    }
  });
  after(() => server.close());

  const routes: Array<{ method: 'GET' | 'POST'; path: string; allowed: string[] }> = [
    { method: 'GET', path: '/', allowed: ['admin', 'operator', 'viewer'] },
    { method: 'GET', path: '/profile', allowed: ['admin', 'operator', 'viewer'] },
    { method: 'GET', path: '/api/v1/me', allowed: ['admin', 'operator', 'viewer'] },
    { method: 'GET', path: '/admin/users', allowed: ['admin'] },
    { method: 'POST', path: '/admin/users', allowed: ['admin'] },
  ];

  for (const route of routes) {
    for (const role of ['admin', 'operator', 'viewer']) {
      const allowed = route.allowed.includes(role);
      it(`${route.method} ${route.path} as ${role}: ${allowed ? 'allowed' : '403'}`, async () => {
        const client = clients[role] as WebClient;
        await client.get('/profile'); // fresh CSRF token for this client
        const response =
          route.method === 'GET'
            ? await client.get(route.path)
            : await client.post(route.path, { username: `made-by-${role}`, role: 'viewer', password: 'p'.repeat(14) });
        if (allowed) expect(response.status).to.be.oneOf([200, 303]);
        else {
          expect(response.status).to.equal(403);
          expect(response.text).to.contain('NXF_FORBIDDEN');
        }
      });
    }
  }

  it('a viewer POSTing to an admin route creates nothing', async () => {
    expect(await server.services.users.findForLogin('made-by-viewer')).to.equal(undefined);
    expect(await server.services.users.findForLogin('made-by-admin')).to.not.equal(undefined);
  });

  it('signed out: pages redirect to /login, the API answers 401 JSON, htmx is told to redirect', async () => {
    const anonymous = new WebClient(server.url);
    const page = await anonymous.get('/admin/users');
    expect(page.status).to.equal(302);
    expect(page.headers.get('location')).to.match(/^\/login\?next=/);
    const api = await anonymous.get('/api/v1/me');
    expect(api.status).to.equal(401);
    expect(api.json()).to.deep.equal({
      error: { code: 'NXF_UNAUTHENTICATED', message: 'Sign in or send an API token.' },
    });
    // A poll of a fragment sends the browser to sign in and back to the page it shows, not to the fragment.
    const htmx = await anonymous.get('/jobs/rows', {
      'HX-Request': 'true',
      'HX-Current-URL': `${server.url}/jobs?module=lab`,
    });
    expect(htmx.status).to.equal(401);
    expect(htmx.headers.get('hx-redirect')).to.equal('/login?next=%2Fjobs%3Fmodule%3Dlab');
    const login = await anonymous.get('/login?next=%2Fjobs%3Fmodule%3Dlab');
    expect(login.text).to.contain('Your session ended — sign in again.');
    expect(login.text).to.contain('name="next" value="/jobs?module=lab"');
    // Boosted navigation comes back to the page it asked for.
    const boosted = await anonymous.get('/profile', { 'HX-Request': 'true', 'HX-Request-Type': 'full' });
    expect(boosted.headers.get('hx-redirect')).to.equal('/login?next=%2Fprofile');
  });
});
