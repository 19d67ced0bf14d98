import { expect } from 'chai';
import http from 'node:http';
import { copyMinimalModule, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

/** A GET sent with exactly this request target: no client-side normalisation of `..` or `%2e`. */
function rawGet(baseUrl: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: target, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

const script = '<script>alert(1)</script>';
const attribute = '"><img src=x onerror=alert(1)>';

describe('security: what held, kept as regressions', () => {
  let server: TestServer;
  let admin: WebClient;
  let removeModule: () => Promise<void>;
  before(async () => {
    server = await startTestServer();
    const module = await copyMinimalModule('xss', {
      manifest: (manifest) => {
        manifest.displayName = `Module ${script}`;
        manifest.description = `Described ${attribute}`;
        manifest.author = `Author ${script}`;
        manifest.ui.sidebar.label = `Side ${script}`;
        manifest.ui.sidebar.children = [{ label: `Child ${attribute}`, path: '/xss' }];
      },
    });
    removeModule = module.remove;
    await installAndEnable(server, module.dir);
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
  });
  after(async () => {
    await server.close();
    await removeModule();
  });

  it('a module manifest cannot inject markup: every page that shows it escapes it', async () => {
    for (const path of ['/', '/admin/modules', '/admin/modules/xss', '/admin/modules/xss/uninstall', '/xss']) {
      const page = await admin.get(path);
      expect(page.status, path).to.equal(200);
      expect(page.text, path).to.not.contain(script).and.to.not.contain('<img src=x');
      expect(page.text, path).to.match(/&lt;script&gt;|&lt;img src=x/);
    }
  });

  it('next= never leads to another site', async () => {
    const forms = [
      '//evil.example/',
      '/\\evil.example/',
      '\\\\evil.example/',
      'https://evil.example/',
      'http:evil.example',
      '//evil.example/%2F..',
      '/\t/evil.example/',
      '/\n/evil.example/',
      ' //evil.example/',
      'javascript:alert(1)',
      'data:text/html,x',
      '/%2F/evil.example/',
      '/%5Cevil.example/',
      '///evil.example/',
      '//@evil.example/',
    ];
    const origin = new URL(server.url).origin;
    for (const next of forms) {
      const visitor = new WebClient(server.url);
      await visitor.get('/login');
      const signIn = await visitor.post('/login', { username: 'admin', password: testAdminPassword, next });
      expect(signIn.status, next).to.equal(303);
      expect(new URL(signIn.headers.get('location') as string, server.url).origin, next).to.equal(origin);
      const signedIn = await visitor.get(`/login?next=${encodeURIComponent(next)}`);
      expect(new URL(signedIn.headers.get('location') as string, server.url).origin, next).to.equal(origin);
    }
  });

  it('no path leaves the static folders, however it is written', async () => {
    const targets = [
      '/static/../package.json',
      '/static/%2e%2e/package.json',
      '/static/%2E%2E/%2E%2E/package.json',
      '/static/..%2fpackage.json',
      '/static/css/..%2f..%2fpackage.json',
      '/static/css/%2e%2e%2f%2e%2e%2fpackage.json',
      '/static/..%5cpackage.json',
      '/static/vendor/../../package.json',
      '/static/vendor/..%2f..%2f..%2fpackage.json',
      '/static/vendor/htmx.min.js/../../../package.json',
      '/static/modules/xss/../../../package.json',
      '/static/modules/xss/..%2f..%2f..%2fpackage.json',
      '/static/modules/xss/%2e%2e/manifest.json',
      '/static/%00../package.json',
      '/static/....//....//package.json',
      '/static//etc/passwd',
      '/static/%2fetc%2fpasswd',
    ];
    for (const target of targets) {
      const response = await rawGet(server.url, target);
      expect([400, 403, 404], target).to.include(response.status);
      expect(response.body, target).to.not.contain('"dependencies"').and.to.not.contain('root:x:0:0');
    }
  });
});
