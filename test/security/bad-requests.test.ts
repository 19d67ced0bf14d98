import { expect } from 'chai';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { copyMinimalModule, installAndEnable } from '../helpers/modules.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { apiRequest, WebClient } from '../helpers/web-client.js';

describe('security: bad requests are refused as such, never a 500', () => {
  let server: TestServer;
  let admin: WebClient;
  let token: string;
  let removeModule: () => Promise<void>;
  before(async () => {
    server = await startTestServer();
    admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    const user = (await server.services.users.findForLogin('admin'))!.user;
    token = (await server.services.apiTokens.create(user.id, 'paging')).token;
    const module = await copyMinimalModule('pager');
    removeModule = module.remove;
    await installAndEnable(server, module.dir);
  });
  after(async () => {
    await server.close();
    await removeModule();
  });

  /** Posts `body` as the sign-in form with the given Content-Encoding, from a browser that loaded the form. */
  const postLogin = async (encoding: string, body: Buffer) => {
    const visitor = new WebClient(server.url);
    await visitor.get('/login');
    return visitor.request('POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding },
      body: new Uint8Array(body),
    });
  };

  it('a body that is not what its Content-Encoding says is a 400, before sign-in', async () => {
    const plain = Buffer.from('username=admin&password=whatever');
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const response = await postLogin(encoding, plain);
      expect(response.status, encoding).to.equal(400);
      expect(response.text, encoding).to.contain('NXF_BAD_REQUEST');
    }
    const api = await fetch(new URL('/api/v1/modules/pager/enable', server.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"not":"gzip"}',
    });
    expect(api.status).to.equal(400);
    expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('NXF_BAD_REQUEST');
  });

  it('a body that really is compressed is read', async () => {
    for (const compress of [gzipSync, brotliCompressSync]) {
      const visitor = new WebClient(server.url);
      await visitor.get('/login');
      const form = `_csrf=${encodeURIComponent(visitor.csrfToken)}&username=admin&password=${testAdminPassword}`;
      const response = await visitor.request('POST', '/login', {
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-encoding': compress === gzipSync ? 'gzip' : 'br',
        },
        body: new Uint8Array(compress(form)),
      });
      expect(response.status, compress.name).to.equal(303);
    }
  });

  it('paging of every list takes whole numbers within bounds, and answers 400 for anything else', async () => {
    const pages = ['/admin/audit', '/executions', '/events'];
    const apis = ['/api/v1/modules/pager/logs', '/api/v1/executions', '/api/v1/events'];
    const bad = ['offset=1.5', 'offset=Infinity', 'offset=1e308', 'offset=12345678901234567890', 'offset=-1'];
    const badLimits = ['limit=0', 'limit=501', 'limit=ten', 'limit=1e2'];
    for (const path of pages) {
      for (const query of [...bad, ...badLimits]) {
        const response = await admin.get(`${path}?${query}`);
        expect(response.status, `${path}?${query}`).to.equal(400);
        expect(response.text).to.contain('NXF_VALIDATION');
      }
      expect((await admin.get(`${path}?offset=0&limit=5`)).status, path).to.equal(200);
    }
    for (const path of apis) {
      for (const query of [...bad, ...badLimits]) {
        const response = await apiRequest(server.url, token, 'GET', `${path}?${query}`);
        expect(response.status, `${path}?${query}`).to.equal(400);
        expect(response.body).to.have.nested.property('error.code', 'NXF_VALIDATION');
      }
      expect((await apiRequest(server.url, token, 'GET', `${path}?offset=0&limit=5`)).status, path).to.equal(200);
    }
    const logs = await apiRequest(server.url, token, 'GET', '/api/v1/modules/pager/logs?limit=1&offset=1');
    expect(logs.body).to.deep.include({ limit: 1, offset: 1 });
  });
});
