import { expect } from 'chai';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { NxfError } from '../src/errors.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/nxforge');
  } catch (error) {
    expect(error).to.be.instanceOf(NxfError);
    expect((error as NxfError).code).to.equal('NXF_CONFIG_INVALID');
    return (error as NxfError).details as string[];
  }
  return expect.fail('loadConfig accepted a bad configuration');
}

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, '/srv/nxforge');
    expect(config).to.include({ port: 3000, host: '0.0.0.0', logLevel: 'info', trustProxy: false, workers: 1 });
    expect(config.dataDir).to.equal(path.resolve('/srv/nxforge', 'data'));
    expect(config.databaseUrl).to.equal(undefined);
  });

  it('reads every documented variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        NXFORGE_DATA_DIR: '/var/lib/nxforge',
        DATABASE_URL: 'postgres://nx:pw@db.internal:5432/nxforge',
        NXFORGE_ADMIN_PASSWORD: 'a-long-enough-password',
        NXFORGE_SECRET: 'x'.repeat(40),
        NXFORGE_HOST: '127.0.0.1',
        NXFORGE_LOG_LEVEL: 'debug',
        NXFORGE_TRUST_PROXY: 'true',
        NXFORGE_WORKERS: '3',
      },
      '/srv',
    );
    expect(config).to.deep.include({
      port: 8080,
      dataDir: '/var/lib/nxforge',
      databaseUrl: 'postgres://nx:pw@db.internal:5432/nxforge',
      adminPassword: 'a-long-enough-password',
      host: '127.0.0.1',
      logLevel: 'debug',
      trustProxy: true,
      workers: 3,
    });
  });

  it('reads NXFORGE_WORKERS=auto as one worker per core, and refuses other words, 0 and absurd counts', () => {
    expect(loadConfig({ NXFORGE_WORKERS: 'auto' }).workers).to.equal(availableParallelism());
    for (const bad of ['0', 'two', '1.5', '65']) {
      expect(problemsOf({ NXFORGE_WORKERS: bad })[0], bad).to.match(/^NXFORGE_WORKERS must be "auto" or an integer/);
    }
  });

  it('refuses a port that is not a number or out of range', () => {
    expect(problemsOf({ PORT: 'http' })[0]).to.match(/^PORT must be an integer/);
    expect(problemsOf({ PORT: '70000' })[0]).to.contain('"70000"');
    expect(problemsOf({ PORT: '-1' })[0]).to.match(/^PORT/);
  });

  it('refuses a DATABASE_URL that is not PostgreSQL', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://root@localhost/nx' })[0]).to.match(/^DATABASE_URL must be a postgres/);
    expect(problemsOf({ DATABASE_URL: 'not a url' })[0]).to.match(/^DATABASE_URL/);
  });

  it('refuses a short admin password and a short secret', () => {
    expect(problemsOf({ NXFORGE_ADMIN_PASSWORD: 'short' })[0]).to.match(/at least 12 characters/);
    expect(problemsOf({ NXFORGE_SECRET: 'tiny' })[0]).to.match(/at least 32 characters/);
  });

  it('refuses unknown NXFORGE_ variables, naming the known ones', () => {
    const [problem] = problemsOf({ NXFORGE_DATADIR: '/tmp/x' });
    expect(problem).to.contain('NXFORGE_DATADIR is not a NxForge setting');
    expect(problem).to.contain('NXFORGE_DATA_DIR');
  });

  it('refuses bad log levels and booleans', () => {
    expect(problemsOf({ NXFORGE_LOG_LEVEL: 'loud' })[0]).to.match(/^NXFORGE_LOG_LEVEL must be one of/);
    expect(problemsOf({ NXFORGE_TRUST_PROXY: 'maybe' })[0]).to.match(/^NXFORGE_TRUST_PROXY must be true or false/);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: 'x', NXFORGE_SECRET: 'y', NXFORGE_LOG_LEVEL: 'z' })).to.have.length(3);
  });
});
