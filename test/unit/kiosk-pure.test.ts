import { expect } from 'chai';
import { checkFilters, parseDisplayForm, type DisplaySettings } from '../../src/displays/display-input.js';
import type { Display } from '../../src/displays/display-store.js';
import { NxfError } from '../../src/errors.js';
import { browserLabel } from '../../src/web/kiosk/browser-label.js';
import { displayHealth } from '../../src/web/kiosk/display-health.js';
import { pageOf } from '../../src/web/kiosk/kiosk-pages.js';

const offered = new Set(['/consumption/live', '/dummy/board']);
const good = {
  name: ' Row A ',
  pages: ['/dummy/board'],
  rotateSeconds: '30',
  refreshSeconds: '2.5',
  theme: 'dark',
  rack: ' A ',
};

function refusal(form: Record<string, unknown>, kept: string[] = []): Record<string, string> {
  try {
    parseDisplayForm(form, offered, kept);
  } catch (error) {
    expect(error).to.be.instanceOf(NxfError).with.property('status', 422);
    return (error as NxfError).details as Record<string, string>;
  }
  return expect.fail('accepted');
}

describe('kiosk displays, pure parts', () => {
  it('reads a display form: trimmed names and filters, tenths of a second in milliseconds', () => {
    expect(parseDisplayForm(good, offered)).to.deep.equal({
      name: 'Row A',
      pages: ['/dummy/board'],
      rotateSeconds: 30,
      refreshMs: 2500,
      theme: 'dark',
      filter: { rack: 'A' },
    });
  });

  it('refuses each bad field with its own message', () => {
    expect(refusal({})).to.have.keys('name', 'pages', 'rotateSeconds', 'refreshSeconds', 'theme');
    expect(refusal({ ...good, refreshSeconds: '0.05' }).refreshSeconds).to.equal(
      'Enter 0.1 to 3600 seconds (tenths at most).',
    );
    expect(refusal({ ...good, refreshSeconds: '1e3' })).to.have.key('refreshSeconds');
    expect(refusal({ ...good, rotateSeconds: '2.5' }).rotateSeconds).to.equal('Enter 2 to 3600 whole seconds.');
    expect(refusal({ ...good, theme: 'neon' }).theme).to.equal('Choose light, dark or high contrast.');
    expect(refusal({ ...good, pages: ['/admin/users'] }).pages).to.match(/only pages their module offers/);
    expect(refusal({ ...good, customer: 'x'.repeat(81) }).customer).to.equal('At most 80 characters.');
  });

  it('keeps a page the display had even while its module does not offer it', () => {
    expect(
      parseDisplayForm({ ...good, pages: ['/gone/page', '/dummy/board'] }, offered, ['/gone/page']).pages,
    ).to.deep.equal(['/gone/page', '/dummy/board']);
  });

  it('refuses a filter none of the chosen pages honours, and trusts a page not offered now', () => {
    const honours = (path: string) => ({ '/cm/live': ['rack', 'customer'], '/tm': ['rack'], '/dummy/chart': [] })[path];
    const display = (pages: string[], filter: DisplaySettings['filter']): DisplaySettings => ({
      name: 'Wall',
      pages,
      rotateSeconds: 30,
      refreshMs: 30_000,
      theme: 'dark',
      filter,
    });
    expect(() => checkFilters(display(['/tm', '/cm/live'], { rack: 'R1', customer: 'Acme' }), honours)).to.not.throw();
    const refusal = (pages: string[], filter: DisplaySettings['filter']) => {
      try {
        checkFilters(display(pages, filter), honours);
      } catch (error) {
        return (error as { details?: Record<string, string> }).details;
      }
      return undefined;
    };
    expect(refusal(['/tm'], { rack: 'R1', customer: 'Acme' })).to.deep.equal({
      customer: 'None of the chosen pages can be limited to a customer: leave it empty or choose a page that can.',
    });
    expect(refusal(['/dummy/chart'], { rack: 'R1' })).to.have.keys('rack');
    expect(refusal(['/gone/page'], { customer: 'Acme' }), 'a disabled module’s page').to.equal(undefined);
  });

  it('a display page covers the fragments under it, not its neighbours', () => {
    expect(pageOf(['/dummy/board'], '/dummy/board/count')).to.equal('/dummy/board');
    expect(pageOf(['/dummy/board'], '/dummy/boards')).to.equal(undefined);
    // A module's root page holding its other pages covers itself alone.
    const holds = (page: string) => page === '/temperature';
    expect(pageOf(['/temperature'], '/temperature', holds)).to.equal('/temperature');
    expect(pageOf(['/temperature'], '/temperature/hosts', holds)).to.equal(undefined);
    expect(pageOf(['/temperature'], '/temperature/sensors/5', holds)).to.equal(undefined);
  });

  it('tells live from stale: two refresh intervals and 10 s without a good answer', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
    const display = (goodAgo: number | null, contactAgo: number, status = 200) =>
      ({
        refreshMs: 30_000,
        revokedAt: null,
        lastContact: {
          at: at(contactAgo),
          goodAt: goodAgo === null ? null : at(goodAgo),
          status,
          browser: '',
          address: '',
        },
      }) as unknown as Display;
    // 2 × 30 s + 10 s = 70 s.
    expect(displayHealth(display(70, 70), now).state).to.equal('live');
    expect(displayHealth(display(71, 71), now)).to.deep.equal({ state: 'stale', text: 'stale: no request for 1 min' });
    expect(displayHealth(display(600, 5, 500), now)).to.deep.equal({
      state: 'stale',
      text: 'stale: answered HTTP 500 for 10 min',
    });
    expect(displayHealth({ ...display(1, 1), lastContact: null }, now).text).to.equal('never opened');
  });

  it('names a browser in a few words', () => {
    const pi =
      'Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.6099.0 Chrome/120.0.0.0 Safari/537.36';
    expect(browserLabel(pi)).to.equal('Chrome 120 on Linux');
    const tv =
      'Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.128 Safari/537.36 WebAppManager';
    expect(browserLabel(tv)).to.equal('Chrome 94 on webOS');
    const ipad =
      'Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1';
    expect(browserLabel(ipad)).to.equal('Safari 12 on iOS');
    expect(browserLabel('')).to.equal('unknown');
  });
});
