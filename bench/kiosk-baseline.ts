import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from './lib.js';

/**
 * bench:kiosk's baseline: the floor a refresh costs a browser with htmx alone. A bare page with the kiosk's
 * stylesheets and htmx, whose one script asks for the same fragment every `refreshMs` and morphs it in, as kiosk.js
 * does — without NxForge's scripts (ETags, staleness, status bar, rotation). Each answer differs from the last (a
 * counter in the first row), like a display's changed refresh.
 */
export async function startBareHtmxPage(options: { fragment: string; stylesheets: string[]; refreshMs: number }) {
  const htmx = await readFile(path.join(repoRoot, 'node_modules', 'htmx.org', 'dist', 'htmx.min.js'));
  let answers = 0;
  const links = options.stylesheets.map((href) => `<link rel="stylesheet" href="${href}">`).join('');
  const page = `<!doctype html><html lang="en" data-theme="dark"><head><meta charset="utf-8">${links}
<script src="/htmx.js"></script><script src="/refresh.js" defer></script></head>
<body class="kiosk"><main class="kiosk-pages"><section class="kiosk-page"><div id="body" class="kiosk-page-body">${options.fragment}</div></section></main></body></html>`;
  const refresh = `setInterval(() => htmx.ajax('GET', '/fragment', { target: '#body', swap: 'innerMorph' }), ${options.refreshMs});`;
  const server = http.createServer((request, response) => {
    const send = (type: string, body: string | Buffer) =>
      response.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
    if (request.url === '/') return send('text/html; charset=utf-8', page);
    if (request.url === '/htmx.js') return send('text/javascript', htmx);
    if (request.url === '/refresh.js') return send('text/javascript', refresh);
    if (request.url === '/fragment')
      return send('text/html; charset=utf-8', options.fragment.replace(/item \d+/, `item b${(answers += 1)}`));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
