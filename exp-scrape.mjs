import puppeteer from 'puppeteer-core';
import { startFakePdu } from './dist/test/fixtures/fake-pdu.js';
const pdu = await startFakePdu();
const exe = process.argv[2];
const args = ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage','--disable-background-networking','--disable-component-update','--disable-sync','--no-first-run','--disable-quic'];
const browser = await puppeteer.launch({ executablePath: exe, headless: exe.includes('shell') ? 'shell' : true, args });
const t = {}; const add = (k, v) => (t[k] = (t[k] ?? []).concat(v));
for (let i = 0; i < 25; i++) {
  const s0 = performance.now(); let s = s0;
  const ctx = await browser.createBrowserContext(); add('context', performance.now() - s); s = performance.now();
  const page = await ctx.newPage(); add('newPage', performance.now() - s); s = performance.now();
  await page.goto(`${pdu.url}/open`, { waitUntil: 'load' }); add('goto', performance.now() - s); s = performance.now();
  await page.$eval('#energy', (e) => e.textContent); add('eval', performance.now() - s); s = performance.now();
  await ctx.close(); add('close', performance.now() - s); add('total', performance.now() - s0);
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(1);
console.log(exe, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, med(v)])));
const l0 = performance.now(); const b2 = await puppeteer.launch({ executablePath: exe, headless: exe.includes('shell') ? 'shell' : true, args }); console.log('launch ms', (performance.now()-l0).toFixed(0)); await b2.close();
await browser.close(); process.exit(0);
