import { expect } from 'chai';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseHtml } from 'node-html-parser';
import { testAdminPassword } from '../../../dist/test/helpers/server.js';
import { WebClient } from '../../../dist/test/helpers/web-client.js';
import { spreadsheetSafe } from '../dist/billing/report-table.js';
import { addEndpoint, importReadings } from './helpers/billing.js';
import { startCmServer, type CmServer } from './helpers/cm-server.js';

/** The Reports page: statements per endpoint and per customer, the same figures as CSV and in the summary. */
describe('consumption monitor: reports', function () {
  this.timeout(60_000);
  let cm: CmServer;
  let admin: WebClient;
  /** Each statement section's rows, as the cells' texts (the total row last). */
  const pageTables = (html: string) =>
    parseHtml(html)
      .querySelectorAll('.cm-statement')
      .map((section) =>
        section
          .querySelectorAll('tbody tr, tfoot tr')
          .map((tr) => tr.querySelectorAll('th, td').map((c) => c.text.trim())),
      );

  before(async () => {
    cm = await startCmServer();
    await cm.server.services.modules.saveSettings(
      'consumption-monitor',
      { pricePerKwh: 0.2845, currency: 'EUR' },
      { name: 'tests' },
    );
    admin = new WebClient(cm.server.url);
    await admin.login('admin', testAdminPassword);
    const a1 = await addEndpoint(cm, 'Acme A', { customer: 'Acme', rack: 'R1' });
    const a2 = await addEndpoint(cm, 'Acme B', { customer: 'Acme', rack: 'R2' });
    const b1 = await addEndpoint(cm, '=HYPERLINK("http://evil")', { customer: 'Beta' });
    const loose = await addEndpoint(cm, 'Spare PDU');
    await importReadings(cm, a1, [
      ['2025-06-01T00:00:00Z', 10],
      ['2025-06-01T01:00:00Z', 12.5],
    ]);
    await importReadings(cm, a2, [
      ['2025-06-02T00:00:00Z', 100],
      ['2025-06-02T00:15:00Z', 100.75],
    ]);
    await importReadings(cm, b1, [
      ['2025-06-03T00:00:00Z', 5],
      ['2025-06-03T00:15:00Z', 6],
    ]);
    await importReadings(cm, loose, [
      ['2025-06-04T00:00:00Z', 0],
      ['2025-06-04T00:15:00Z', 0.125],
    ]);
  });
  after(() => cm?.close());

  it('per customer: a statement for each, listing its endpoints, with totals', async () => {
    const page = await admin.get('/consumption/reports?month=2025-06&view=customer');
    expect(page.status).to.equal(200);
    const [acme, beta, none] = pageTables(page.text);
    // Columns: Endpoint, Rack, Start, End, kWh, Adjustment, Resets, Coverage, Estimated, Cost (no Customer column).
    // Acme A: 10 → 12.5 = 2.5 kWh × 0.2845 = 0.71125 → 0.71. Acme B: 0.75 kWh × 0.2845 = 0.213375 → 0.21.
    // Poll 15 min: Acme A's 60-min interval is a gap (estimated, no coverage); Acme B covers 15 min of 720 h → 0.0.
    expect(acme).to.deep.equal([
      ['Acme A', 'R1', '10.000', '12.500', '2.500', '0.000', '0', '0.0', 'yes', '0.71'],
      ['Acme B', 'R2', '100.000', '100.750', '0.750', '0.000', '0', '0.0', 'no', '0.21'],
      ['Total', '', '', '', '3.250', '0.000', '0', '', 'yes', '0.92'],
    ]);
    // Beta: 1 kWh → 0.2845 → 0.28. No customer: 0.125 kWh → 0.0355625 → 0.04.
    expect(beta!.at(-1)).to.deep.equal(['Total', '', '', '', '1.000', '0.000', '0', '', 'no', '0.28']);
    expect(none!.at(-1)).to.deep.equal(['Total', '', '', '', '0.125', '0.000', '0', '', 'no', '0.04']);
    expect(
      parseHtml(page.text)
        .querySelectorAll('.cm-statement h2')
        .map((h) => h.text),
    ).to.deep.equal(['Acme 2025-06', 'Beta 2025-06', 'No customer 2025-06']);
  });

  it('the summary is the sum of the customers’ statements, to the mWh and the cent', async () => {
    const { body } = await cm.api('GET', '/consumption/monthly-summary?month=2025-06');
    // 3.250 + 1.000 + 0.125 = 4.375 kWh; 0.92 + 0.28 + 0.04 = 1.24 (the sum of rounded lines: 0.71 + 0.21 + 0.28 + 0.04).
    expect(body.totals).to.deep.equal({ kwh: 4.375, costAmount: 1.24 });
    const customers = pageTables((await admin.get('/consumption/reports?month=2025-06&view=customer')).text);
    const totals = customers.map((rows) => rows.at(-1)!);
    expect(totals.reduce((sum, t) => sum + Math.round(Number(t[4]) * 1000), 0) / 1000).to.equal(body.totals.kwh);
    expect(totals.reduce((sum, t) => sum + Math.round(Number(t[9]) * 100), 0) / 100).to.equal(body.totals.costAmount);
  });

  it('CSV has the rows and cells the page shows, per customer and per endpoint', async () => {
    for (const view of ['customer', 'endpoint']) {
      const page = pageTables((await admin.get(`/consumption/reports?month=2025-06&view=${view}`)).text);
      const csv = await admin.get(`/consumption/reports?month=2025-06&view=${view}&format=csv`);
      expect(csv.headers.get('content-type')).to.contain('text/csv');
      const [header, ...rows] = parseCsv(csv.text) as string[][];
      expect(header![0]).to.equal('Customer');
      // The page leaves out the Customer column per customer (the heading names it); the CSV always has it.
      const cells = rows.map((r) => (view === 'customer' ? r.slice(1) : r).map((cell) => cell.replace(/^'/, '')));
      expect(cells).to.deep.equal(page.flat());
    }
  });

  it('CSV cells a spreadsheet would run as formulas start with a quote', async () => {
    const csv = (await admin.get('/consumption/reports?month=2025-06&view=endpoint&format=csv')).text;
    const rows = parseCsv(csv) as string[][];
    expect(rows.some((r) => r[1] === `'=HYPERLINK("http://evil")`)).to.equal(true);
    expect(rows.flat().filter((cell) => /^[=+@\t\r]/.test(cell))).to.deep.equal([]);
    expect(spreadsheetSafe('-1.500', true)).to.equal('-1.500');
    expect(spreadsheetSafe('-cmd', false)).to.equal("'-cmd");
    expect(spreadsheetSafe('@SUM(A1)')).to.equal("'@SUM(A1)");
  });

  it('a bad month is a 400 naming it', async () => {
    expect((await admin.get('/consumption/reports?month=2025-6')).status).to.equal(400);
  });
});
