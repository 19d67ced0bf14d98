import { expect } from 'chai';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';
import { WebClient } from '../helpers/web-client.js';

describe('security: the audit filter matches what it says', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    for (const action of ['user.create', 'user.disable', 'module.enable', 'use_r.odd']) {
      await server.services.audit.record({ action, outcome: 'success', actorName: 'seed' });
    }
  });
  after(() => server.close());

  it('a family prefix is literal: LIKE wildcards in it match only themselves', async () => {
    const actions = async (action: string) =>
      (await server.services.audit.query({ actor: 'seed', action })).map((entry) => entry.action).sort();
    expect(await actions('user.')).to.deep.equal(['user.create', 'user.disable']);
    expect(await actions('%.')).to.deep.equal([]);
    expect(await actions('us_r.')).to.deep.equal([]);
    expect(await actions('use_r.')).to.deep.equal(['use_r.odd']);

    const admin = new WebClient(server.url);
    await admin.login('admin', testAdminPassword);
    const page = await admin.get('/admin/audit?actor=seed&action=%25.');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('No entries match.').and.to.not.contain('<code>user.create</code>');
    const family = await admin.get('/admin/audit?actor=seed&action=user.');
    expect(family.text).to.contain('<code>user.create</code>').and.to.not.contain('<code>use_r.odd</code>');
  });
});
