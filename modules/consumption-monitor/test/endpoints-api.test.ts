import { expect } from 'chai';
import { startFakePdu, pduCredentials, type FakePdu } from '../../../dist/test/fixtures/fake-pdu.js';
import { formEndpoint } from './helpers/endpoints.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

describe('consumption monitor: endpoints API', function () {
  let cm: CmServer;
  let pdu: FakePdu;
  before(async () => {
    [cm, pdu] = await Promise.all([startCmServer(), startFakePdu()]);
  });
  after(async () => {
    await Promise.all([cm?.close(), pdu?.close()]);
  });

  it('creates an endpoint and returns the pinned shape, its secrets write-only', async () => {
    const created = await cm.api('POST', '/endpoints', formEndpoint(pdu));
    expect(created.status).to.equal(201);
    const { id, lastReading, state, ...rest } = created.body;
    expect(id).to.match(/^[0-9a-f-]{36}$/);
    expect(state).to.equal('new');
    expect(lastReading).to.equal(null);
    expect(rest).to.deep.include({
      name: 'R7 PDU A',
      source: 'browser',
      url: `${pdu.url}/form/meter`,
      selector: '#energy',
      jsonPath: null,
      unit: 'kWh',
      kind: 'counter',
      locale: 'en',
      pollIntervalMinutes: 15,
      ratedPowerKw: 7.4,
      enabled: true,
      labels: { customer: 'Acme', rack: 'R7' },
      snmp: null,
      secrets: ['password'],
    });
    expect(rest.auth).to.deep.equal({
      type: 'form',
      username: 'apc',
      loginUrl: `${pdu.url}/form/login`,
      usernameSelector: '#username',
      passwordSelector: '#password',
      submitSelector: '#sign-in',
    });
    const fetched = await cm.api('GET', `/endpoints/${id}`);
    expect(fetched.body.name).to.equal('R7 PDU A');
    const everything = JSON.stringify([fetched.body, (await cm.api('GET', '/endpoints')).body]);
    expect(everything).not.to.include(pduCredentials.password);
    // At rest the password is sealed, not stored as text.
    const [row] = await cm.server.services.db.select<{ secrets: string }>(
      'SELECT secrets FROM cm_endpoint WHERE id = $1',
      [id],
    );
    expect(row!.secrets)
      .to.match(/^nxf1\./)
      .and.not.include(pduCredentials.password);
  });

  it('keeps a secret that an edit leaves empty, and replaces one that is given', async () => {
    const { body } = await cm.api('POST', '/endpoints', formEndpoint(pdu, 'Keep secret'));
    const edit = {
      ...formEndpoint(pdu, 'Keep secret'),
      ratedPowerKw: 5,
      auth: { ...formEndpoint(pdu).auth, password: '' },
    };
    const updated = await cm.api('PUT', `/endpoints/${body.id}`, edit);
    expect(updated.status).to.equal(200);
    expect(updated.body.ratedPowerKw).to.equal(5);
    expect(updated.body.secrets).to.deep.equal(['password']);
    const tested = await cm.api('POST', `/endpoints/${body.id}/test`);
    expect(tested.body).to.include({ success: true, value: 1234.5, raw: '1,234.5 kWh', errorCode: null });
  });

  it('answers 422 with a message per field for bad input, and stores nothing', async () => {
    const before = (await cm.api('GET', '/endpoints')).body.endpoints.length;
    const bad = await cm.api('POST', '/endpoints', {
      ...formEndpoint(pdu, ''),
      url: 'javascript:alert(1)',
      ratedPowerKw: -3,
      pollIntervalMinutes: 'soon',
      auth: { type: 'form', username: 'apc' },
    });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.code).to.equal('NXF_VALIDATION');
    expect(bad.body.error.details).to.include.keys(
      'name',
      'url',
      'ratedPowerKw',
      'pollIntervalMinutes',
      'auth.password',
      'auth.usernameSelector',
    );
    expect(bad.body.error.details.url).to.equal('Only http:// and https:// addresses.');
    const notNumber = await cm.api('POST', '/endpoints', { ...formEndpoint(pdu, 'Rated text'), ratedPowerKw: 'lots' });
    expect(notNumber.body.error.details.ratedPowerKw).to.match(/number of kW/);
    const snmp = await cm.api('POST', '/endpoints', {
      name: 'Bad OID',
      source: 'snmp',
      kind: 'counter',
      snmp: { host: '127.0.0.1', version: '2c', community: 'public', oid: 'ifInOctets' },
    });
    expect(snmp.body.error.details['snmp.oid']).to.match(/numeric OID/);
    expect((await cm.api('GET', '/endpoints')).body.endpoints.length).to.equal(before);
  });

  it('refuses a duplicate name, whatever its case, with 409', async () => {
    await cm.api('POST', '/endpoints', formEndpoint(pdu, 'Twin'));
    const twin = await cm.api('POST', '/endpoints', formEndpoint(pdu, 'TWIN'));
    expect(twin.status).to.equal(409);
    expect(twin.body.error).to.include({ code: 'NXF_CONFLICT' });
    expect(twin.body.error.details).to.have.key('name');
  });

  it('deletes an endpoint with its readings; unknown ids are 404', async () => {
    const { body } = await cm.api('POST', '/endpoints', formEndpoint(pdu, 'Short lived'));
    await cm.server.services.db.select(
      `INSERT INTO cm_reading (endpoint_id, recorded_at, value, status) VALUES ($1, now(), 1, 'ok') RETURNING id`,
      [body.id],
    );
    expect((await cm.api('DELETE', `/endpoints/${body.id}`)).status).to.equal(204);
    const [left] = await cm.server.services.db.select<{ n: string }>(
      'SELECT count(*) AS n FROM cm_reading WHERE endpoint_id = $1',
      [body.id],
    );
    expect(Number(left!.n)).to.equal(0);
    expect((await cm.api('GET', `/endpoints/${body.id}`)).status).to.equal(404);
    expect((await cm.api('GET', '/endpoints/not-an-id')).status).to.equal(404);
  });
});
