import { expect } from 'chai';
import { once } from 'node:events';
import { startTestServer } from './helpers/server.js';
import { WebClient } from './helpers/web-client.js';

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    // A throttled login waits before answering: a request that is still running when stop() begins.
    const server = await startTestServer({
      throttlePolicy: {
        delayAfter: 0,
        delayStepMs: 700,
        maxDelayMs: 700,
        lockAfter: 100,
        windowMinutes: 15,
        lockMinutes: 1,
      },
    });
    const client = new WebClient(server.url);
    await client.get('/login');
    await client.post('/login', { username: 'admin', password: 'wrong-password-1' });
    // The server's own signal that the request has arrived and its handler is running.
    const arrived = once(server.server, 'request');
    const inFlight = client.post('/login', { username: 'admin', password: 'wrong-password-2' });
    await arrived;
    const stopped = server.close();
    const response = await inFlight;
    expect(response.status).to.equal(401);
    expect(response.text).to.contain('Incorrect username or password.');
    await stopped;
    const refused = await fetch(new URL('/healthz', server.url)).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');
  });
});
