import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { connectDatabase, type Database } from '../../src/db/database.js';
import { Keyring } from '../../src/keyring.js';
import { createLogger } from '../../src/logger.js';
import { createCoreServiceSet, type CoreServiceSet } from '../../src/services/core-service-set.js';
import { createModuleServices } from '../../src/services/module-services.js';
import { startFakePdu, type FakePdu } from '../fixtures/fake-pdu.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

describe('createModuleServices: capabilities decide what a module gets', function () {
  this.timeout(20_000);
  let database: TestDatabase;
  let db: Database;
  let dataDir: string;
  let toolkit: CoreServiceSet;
  let pdu: FakePdu;
  let receiver: WebhookReceiver;
  const logger = createLogger('silent');

  before(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(database.url, { poolMax: 2 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'nxf-module-services-'));
    const config = loadConfig({ NXFORGE_DATA_DIR: dataDir, DATABASE_URL: database.url });
    toolkit = createCoreServiceSet(
      { config, logger, db, keyring: new Keyring('module-services-secret-0123456789abcdef') },
      { browserPool: { maxBrowsers: 1 } },
    );
    pdu = await startFakePdu();
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await toolkit?.stop();
    await pdu?.close();
    await receiver?.close();
    await db?.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const host = () => ({ toolkit, logger });
  const denial = (read: () => unknown) => {
    try {
      read();
    } catch (error) {
      return error as { code: string; status: number; message: string };
    }
    throw new Error('expected NXF_CAPABILITY_DENIED');
  };

  it('denies every service a module did not declare, naming the capability and the module', () => {
    const services = createModuleServices(host(), 'temperature-monitor', ['database:read', 'events:subscribe']);
    for (const [read, capability] of [
      [() => services.scraping, 'network:outbound'],
      [() => services.http, 'network:outbound'],
      [() => services.ipmi, 'network:outbound'],
      [() => services.snmp, 'network:outbound'],
      [() => services.storage, 'storage:read'],
      [() => services.notifications, 'notifications:send'],
    ] as const) {
      const error = denial(read);
      expect(error).to.include({ code: 'NXF_CAPABILITY_DENIED', status: 403 });
      expect(error.message).to.contain(`"${capability}"`).and.contain('"temperature-monitor"');
    }
  });

  it('gives scraping and http with network:outbound, and stores failure screenshots in the module folder', async () => {
    const services = createModuleServices(host(), 'consumption-monitor', ['network:outbound']);
    expect(services.scraping).to.equal(services.scraping);
    const ok = await services.scraping.scrape({
      url: `${pdu.url}/open`,
      extract: { kwh: { selector: '#energy', type: 'number', unit: 'kWh' } },
    });
    expect(ok.data).to.deep.equal({ kwh: 1234.5 });
    const failed = await services.scraping.scrape({ url: `${pdu.url}/error`, name: 'rack-1', retries: 0 });
    expect(failed.errorCode).to.equal('NXF_SCRAPE_HTTP');
    const noCredentials = await services.scraping.scrape({ url: `${pdu.url}/basic` });
    expect(noCredentials).to.include({ errorCode: 'NXF_SCRAPE_AUTH', attempts: 1 });
    expect(failed.screenshotPath).to.match(/^screenshots\//);
    expect(await toolkit.storage.forModule('consumption-monitor').exists(failed.screenshotPath!)).to.equal(true);
    expect(await services.http.get(`${pdu.url}/open`)).to.contain('1,234.5 kWh');
    expect(denial(() => services.storage).code).to.equal('NXF_CAPABILITY_DENIED');
  });

  it('scopes storage to the module: read-only with storage:read, writable with storage:write', async () => {
    const writer = createModuleServices(host(), 'consumption-monitor', ['storage:write']);
    await writer.storage.saveFile('reports/nov.csv', 'kwh\n1\n');
    const reader = createModuleServices(host(), 'consumption-monitor', ['storage:read']);
    expect((await reader.storage.readFile('reports/nov.csv')).toString()).to.equal('kwh\n1\n');
    const error = await reader.storage.saveFile('x', 'y').catch((e: unknown) => e as { code: string; message: string });
    expect(error).to.include({ code: 'NXF_CAPABILITY_DENIED' });
    const other = createModuleServices(host(), 'temperature-monitor', ['storage:read']);
    expect(await other.storage.exists('reports/nov.csv')).to.equal(false);
  });

  it('gives every module its own secrets: sealed by one module, unreadable by another', () => {
    const mine = createModuleServices(host(), 'consumption-monitor', []).secrets;
    const theirs = createModuleServices(host(), 'temperature-monitor', []).secrets;
    const sealed = mine.seal('pdu-password', 'endpoint:7');
    expect(mine.open(sealed, 'endpoint:7')).to.equal('pdu-password');
    expect(() => theirs.open(sealed, 'endpoint:7'))
      .to.throw()
      .with.property('code', 'NXF_SECRET_CORRUPT');
    expect(() => toolkit.secretBox.open(sealed))
      .to.throw()
      .with.property('code', 'NXF_SECRET_CORRUPT');
  });

  it('sends notifications with notifications:send, recorded with the module as source', async () => {
    const services = createModuleServices(host(), 'consumption-monitor', ['notifications:send']);
    const [result] = await services.notifications.send(
      { title: 'Threshold', message: 'Over 4 kW', severity: 'error' },
      [{ type: 'webhook', config: { url: `${receiver.url}/m` } }],
    );
    expect(result?.success).to.equal(true);
    expect(JSON.parse(receiver.received('/m')[0]!.body)).to.include({ source: 'consumption-monitor' });
    const [record] = await toolkit.notifications.deliveries.recent({ limit: 1 });
    expect(record).to.include({ source: 'consumption-monitor', status: 'delivered' });
  });
});
