import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { axeViolations } from '../helpers/axe.js';
import { launchBrowser, signedInPage } from '../helpers/browser.js';
import { adminPagePaths, corePageUsers, seedConsole, type SeededConsole } from '../helpers/core-pages.js';
import { watchPageProblems } from '../helpers/page-watch.js';
import { startTestServer, testAdminPassword, type TestServer } from '../helpers/server.js';

const sizes = [
  { width: 800, height: 480 },
  { width: 1366, height: 768 },
] as const;

describe('every core page in Chromium: fits an 800×480 screen and passes axe-core at 800×480 and 1366×768', function () {
  this.timeout(180_000);
  let server: TestServer;
  let seed: SeededConsole;
  let browser: Browser;
  const pages: Record<'admin' | 'viewer' | 'anonymous', { page: Page; problems: string[] }> = {} as never;

  before(async () => {
    server = await startTestServer();
    seed = await seedConsole(server);
    browser = await launchBrowser();
    pages.admin = await signedInPage(browser, server.url, { username: 'admin', password: testAdminPassword });
    pages.viewer = await signedInPage(browser, server.url, corePageUsers.viewer);
    const anonymous = await (await browser.createBrowserContext()).newPage();
    pages.anonymous = { page: anonymous, problems: watchPageProblems(anonymous) };
  });
  after(async () => {
    await browser?.close();
    await seed?.remove();
    await server?.close();
  });

  /** Every page to look at: as an administrator, the 403 page as a viewer, the login page signed out. */
  const everyPage = (): Array<[string, keyof typeof pages, string]> => [
    ...Object.entries(adminPagePaths(seed)).map(([name, path]): [string, 'admin', string] => [name, 'admin', path]),
    ['a module page (core partials)', 'admin', '/dummy/items'],
    ['a module chart (core partials)', 'admin', '/dummy/chart'],
    ['not allowed', 'viewer', '/admin/users'],
    ['sign in', 'anonymous', '/login'],
  ];

  /** How far the page and each of its tables reach past their width (0 when they fit). */
  const overflow = (page: Page) =>
    page.evaluate(() => ({
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      tables: [...document.querySelectorAll('.table-wrap')].map((wrap) => wrap.scrollWidth - wrap.clientWidth),
    }));

  for (const size of sizes) {
    it(`at ${size.width}×${size.height}: no page scrolls sideways, no table is cut off, axe-core finds nothing`, async () => {
      const found: string[] = [];
      for (const [name, who, path] of everyPage()) {
        const { page } = pages[who];
        await page.setViewport(size);
        await page.goto(`${server.url}${path}`);
        const reach = await overflow(page);
        if (reach.page > 0) found.push(`${name}: the page is ${reach.page} px wider than the screen`);
        reach.tables.forEach(
          (px, i) => px > 0 && found.push(`${name}: table ${i + 1} is ${px} px wider than its place`),
        );
        for (const violation of await axeViolations(page)) found.push(`${name}: ${violation}`);
      }
      expect(found).to.deep.equal([]);
    });
  }

  it('the 403 page says what was refused, who may do it and who can grant it', async () => {
    const { page } = pages.viewer;
    const response = await page.goto(`${server.url}/admin/users`);
    expect(response?.status()).to.equal(403);
    const text = await page.$eval('main', (main) => main.textContent?.replace(/\s+/g, ' ') ?? '');
    expect(text).to.contain('Not allowed');
    expect(text).to.contain(
      'Managing users (users:manage) is for administrators. You are signed in as vera, a viewer; an administrator can change your role on the Users page.',
    );
    expect(text).to.contain('You asked for /admin/users.');
  });

  it('the focus ring and the borders of fields and buttons reach 3:1 against what is behind them', async () => {
    const { page } = pages.admin;
    await page.goto(`${server.url}/admin/users`);
    await page.focus('#user-create #field-username');
    const ratios = await page.evaluate(() => {
      const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const luminance = (color: string) => {
        const [r, g, b] = rgb(color).map((v) => {
          const c = v / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const contrast = (a: string, b: string) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi! + 0.05) / (lo! + 0.05);
      };
      /** The colour behind an element: the first ancestor with a background. */
      const behind = (element: Element) => {
        for (let e = element.parentElement; e; e = e.parentElement) {
          const background = getComputedStyle(e).backgroundColor;
          if (!/rgba\(.*, 0\)|transparent/.test(background)) return background;
        }
        return 'rgb(255, 255, 255)';
      };
      const input = document.querySelector('#user-create #field-username')!;
      const button = document.querySelector('#user-create ~ * button, .data button:not(.primary)')!;
      return {
        focusRing: contrast(getComputedStyle(input).outlineColor, behind(input)),
        fieldBorder: contrast(getComputedStyle(input).borderTopColor, behind(input)),
        buttonBorder: contrast(getComputedStyle(button).borderTopColor, behind(button)),
      };
    });
    for (const [what, ratio] of Object.entries(ratios)) expect(ratio, what).to.be.at.least(3);
  });

  it('raised no script errors, CSP violations or server errors on any of them', () => {
    const expected = (problem: string) => problem.startsWith('404: ') && problem.endsWith('/no-such-page');
    expect(Object.values(pages).flatMap(({ problems }) => problems.filter((p) => !expected(p)))).to.deep.equal([]);
  });
});
