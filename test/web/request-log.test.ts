import { expect } from 'chai';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../src/logger.js';
import type { AppState } from '../../src/http/app-context.js';
import { requestContext } from '../../src/web/middleware/request-context.js';

describe('request log', () => {
  const lines: Array<Record<string, unknown>> = [];
  let server: ReturnType<Koa['listen']>;
  let url: string;

  before(async () => {
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = new Koa<AppState>();
    app.use(requestContext(logger));
    app.use((ctx) => {
      if (ctx.path === '/fail') throw new Error('handler broke');
      ctx.state.log.info({ password: 'hunter2', device: { token: 'abc' } }, 'signing in to the device');
      ctx.body = 'ok';
    });
    app.silent = true;
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => lines.splice(0));

  it('writes one JSON line per request with its id, method, path, status and duration', async () => {
    const response = await fetch(`${url}/meters?secret=s3cr3t`, { headers: { 'x-request-id': 'probe-1' } });
    expect(response.status).to.equal(200);
    const request = lines.find((line) => line.msg === 'request');
    expect(request).to.include({ requestId: 'probe-1', method: 'GET', path: '/meters', status: 200, level: 30 });
    expect(request?.durationMs).to.be.a('number').and.at.least(0);
    expect(request?.time).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.stringify(lines)).to.not.contain('s3cr3t');
  });

  it('gives the handler a logger that carries the request id and redacts secrets', async () => {
    const response = await fetch(`${url}/meters`);
    const handlerLine = lines.find((line) => line.msg === 'signing in to the device');
    expect(handlerLine?.requestId).to.equal(response.headers.get('x-request-id'));
    expect(handlerLine?.password).to.equal('[redacted]');
    expect(handlerLine?.device).to.deep.equal({ token: '[redacted]' });
  });

  it('logs a failed request at error level', async () => {
    const response = await fetch(`${url}/fail`);
    expect(response.status).to.equal(500);
    expect(lines.find((line) => line.msg === 'request')).to.include({ path: '/fail', status: 500, level: 50 });
  });
});
