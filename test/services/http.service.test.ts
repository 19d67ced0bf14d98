import { expect } from 'chai';
import { createServer, type Socket } from 'node:net';
import { isNxfError, type NxfError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createHttpService, type HttpService } from '../../src/services/http/http.service.js';
import { redactUrl } from '../../src/services/http/redact-url.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';

describe('HttpService', () => {
  let peer: WebhookReceiver;
  let http: HttpService;

  before(async () => {
    peer = await startWebhookReceiver();
    http = createHttpService(createLogger('silent'), { retryBaseDelayMs: 20, timeout: 2000 });
  });
  after(() => peer.close());
  beforeEach(() => peer.reset());

  const failure = async (promise: Promise<unknown>): Promise<NxfError> => {
    try {
      await promise;
    } catch (error) {
      if (isNxfError(error)) return error;
      throw error;
    }
    throw new Error('expected the request to fail');
  };

  it('retries a 503 and resolves with the body of the following 200', async () => {
    peer.script('/flaky', [
      { status: 503 },
      { status: 200, headers: { 'content-type': 'application/json' }, body: '{"kwh":12.5}' },
    ]);
    const body = await http.get<{ kwh: number }>(`${peer.url}/flaky`);
    expect(body).to.deep.equal({ kwh: 12.5 });
    expect(peer.received('/flaky')).to.have.length(2);
  });

  it('honours Retry-After on a 429 before trying again', async () => {
    peer.script('/limited', [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: 'fine' },
    ]);
    expect(await http.get(`${peer.url}/limited`)).to.equal('fine');
    const [first, second] = peer.received('/limited');
    expect(second!.at.getTime() - first!.at.getTime()).to.be.at.least(950);
  });

  it('does not wait for a Retry-After longer than the client allows', async () => {
    const impatient = http.createClient({ maxRetryAfterMs: 500, retryBaseDelayMs: 20 });
    peer.script('/later', [{ status: 429, headers: { 'retry-after': '120' } }]);
    const error = await failure(impatient.get(`${peer.url}/later`));
    expect(error.code).to.equal('NXF_HTTP_STATUS');
    expect(peer.received('/later')).to.have.length(1);
  });

  it('never retries a 404 (or any other 4xx)', async () => {
    peer.script('/missing', [{ status: 404 }, { status: 200 }]);
    const error = await failure(http.get(`${peer.url}/missing`));
    expect(error.code).to.equal('NXF_HTTP_STATUS');
    expect(error.details).to.include({ status: 404, transient: false });
    expect(peer.received('/missing')).to.have.length(1);
  });

  it('retries a dropped connection, and gives up after the configured retries with a coded error', async () => {
    peer.script('/drop', [{ status: 0 }, { status: 200, body: 'back' }]);
    expect(await http.get(`${peer.url}/drop`)).to.equal('back');
    expect(peer.received('/drop')).to.have.length(2);

    peer.script('/down', [{ status: 500 }, { status: 502 }, { status: 503 }]);
    const error = await failure(http.get(`${peer.url}/down`, { retries: 2 }));
    expect(error.code).to.equal('NXF_HTTP_STATUS');
    expect(error.details).to.include({ status: 503, transient: true });
    expect(peer.received('/down')).to.have.length(3);
  });

  it('retries a refused connection and reports the host as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    let attempts = 0;
    const client = http.createClient({ retries: 2, retryBaseDelayMs: 10 });
    client.interceptors.request.use((config) => {
      attempts += 1;
      return config;
    });
    const error = await failure(client.get(`http://127.0.0.1:${port}/`));
    expect(error.code).to.equal('NXF_HTTP_UNREACHABLE');
    expect(attempts).to.equal(3);
  });

  it('retries a request that gets no answer within the timeout, then fails with NXF_HTTP_TIMEOUT (504)', async () => {
    // A peer that accepts connections and never answers; each attempt is a new connection.
    const silent = createServer((socket) => sockets.push(socket));
    const sockets: Socket[] = [];
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const client = http.createClient({ timeout: 200, retries: 1, retryBaseDelayMs: 10 });
      const error = await failure(client.get(`http://127.0.0.1:${port}/meter`));
      expect(error.code).to.equal('NXF_HTTP_TIMEOUT');
      expect(error.status).to.equal(504);
      expect(error.message).to.equal(`GET http://127.0.0.1:${port}/meter timed out.`);
      expect(error.details).to.include({ transient: true });
      expect(sockets, 'one connection per attempt').to.have.length(2);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('creates clients with a base URL and headers, and posts JSON', async () => {
    const client = http.createClient({ baseURL: `${peer.url}/api/`, headers: { 'X-Device': 'pdu-1' } });
    await client.post('readings', { kwh: 1 });
    const [request] = peer.received('/api/readings');
    expect(request?.headers['x-device']).to.equal('pdu-1');
    expect(request?.headers['content-type']).to.contain('application/json');
    expect(JSON.parse(request!.body)).to.deep.equal({ kwh: 1 });
  });

  it('keeps credentials out of error messages', async () => {
    peer.script('/secret', [{ status: 403 }]);
    const url = new URL(`${peer.url}/secret?token=abc123&site=7`);
    url.username = 'admin';
    url.password = 'hunter2';
    const error = await failure(http.get(url.toString()));
    expect(error.message).to.not.contain('hunter2').and.not.contain('abc123');
    expect(error.message).to.contain('site=7');
    expect(redactUrl('http://u:p@h/x?api_key=1')).to.equal('http://h/x?api_key=redacted');
  });
});
