import Router from '@koa/router';
import { expect } from 'chai';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { AppRouter, AppState } from '../../src/http/app-context.js';
import { createRouter, recordedRoutes } from '../../src/http/router.js';
import { prefixViolations, scanSqlObjects } from '../../src/modules/migrations/sql-object-scan.js';
import { routeBySegment } from '../../src/web/route-by-segment.js';

describe('recorded routers', () => {
  it('remember each route registered through the documented methods, with the prefix apart', () => {
    const router = createRouter({ prefix: '/api/v1' });
    router.get('/items', () => {});
    router.post('named', '/items/:id', () => {});
    router.del('/items/:id', () => {});
    router.all(['/a', '/b'], () => {});
    router.redirect('/old', '/items');
    expect(recordedRoutes(router)).to.deep.equal({
      prefix: '/api/v1',
      routes: [
        { methods: ['GET', 'HEAD'], path: '/items' },
        { methods: ['POST'], path: '/items/:id' },
        { methods: ['DELETE'], path: '/items/:id' },
        { methods: ['ALL'], path: '/a' },
        { methods: ['ALL'], path: '/b' },
        { methods: ['ALL'], path: '/old' },
      ],
    });
    expect(recordedRoutes(new Router<AppState>())).to.equal(undefined);
  });
});

describe('routing by first path segment', () => {
  let server: http.Server;
  let base: string;
  const seen: string[] = [];

  before(async () => {
    const admin = createRouter({ prefix: '/admin' });
    admin.get('/users', (ctx) => void (ctx.body = 'admin users'));
    const pages = createRouter();
    pages.get('/', (ctx) => void (ctx.body = 'home'));
    pages.get('/reports/:id', (ctx) => void (ctx.body = `report ${ctx.params.id}`));
    const anywhere = createRouter();
    anywhere.get('/:page/help', (ctx) => void (ctx.body = `help for ${ctx.params.page}`));
    // A router not made by createRouter cannot list its routes: it is tried for every request.
    const plain = new Router<AppState>();
    plain.get('/plain', (ctx) => void (ctx.body = 'plain'));
    plain.get('/admin/plain', (ctx) => void (ctx.body = 'plain admin'));
    const app = new Koa<AppState>();
    app.use(async (ctx, next) => {
      seen.push(ctx.path);
      await next();
    });
    app.use(routeBySegment([admin, pages, anywhere, plain as AppRouter]));
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const get = async (path: string, method = 'GET') => {
    const response = await fetch(base + path, { method });
    return `${response.status} ${await response.text()}`;
  };

  it('serves each route from its group, and the dynamic and unlisted ones everywhere', async () => {
    expect(await get('/admin/users')).to.equal('200 admin users');
    expect(await get('/')).to.equal('200 home');
    expect(await get('/reports/7')).to.equal('200 report 7');
    expect(await get('/admin/help')).to.equal('404 Not Found');
    expect(await get('/reports/help'), 'its group only').to.equal('200 report help');
    expect(await get('/status/help')).to.equal('200 help for status');
    expect(await get('/plain')).to.equal('200 plain');
    expect(await get('/admin/plain'), 'an unlisted router is tried in every group').to.equal('200 plain admin');
    expect(await get('/nothing')).to.equal('404 Not Found');
  });

  it("answers 405 for a method a group's route lacks", async () => {
    expect(await get('/admin/users', 'POST')).to.equal('405 Method Not Allowed');
  });
});

describe('SQL object scan', () => {
  it('finds what a migration creates, changes and writes, ignoring comments and strings', () => {
    const sql = `
      -- CREATE TABLE not_this (id int);
      CREATE TABLE IF NOT EXISTS cm_endpoint (id serial, note text DEFAULT 'DROP TABLE users');
      CREATE UNIQUE INDEX cm_endpoint_name ON cm_endpoint (note);
      ALTER TABLE public."CM_Mixed" ADD COLUMN x int;
      INSERT INTO cm_endpoint (note) VALUES ('x');
      DROP TABLE IF EXISTS cm_old, cm_older;
      DO $$ BEGIN UPDATE cm_endpoint SET note = 'y'; END $$;`;
    expect(scanSqlObjects(sql).map((o) => `${o.action} ${o.schema ? `${o.schema}.` : ''}${o.name}`)).to.have.members([
      'CREATE TABLE cm_endpoint',
      'CREATE INDEX cm_endpoint_name',
      'INDEX ON cm_endpoint',
      'ALTER public.CM_Mixed',
      'INSERT INTO cm_endpoint',
      'DROP cm_old',
      'DROP cm_older',
      'UPDATE cm_endpoint',
    ]);
  });

  it("names what lies outside the module's prefix", () => {
    expect(prefixViolations('CREATE TABLE cm_ok (id int); CREATE TABLE endpoint (id int);', 'cm_')).to.satisfy(
      (found: string[]) => found.length === 1 && found[0]?.includes('endpoint'),
    );
    expect(prefixViolations('CREATE TABLE cm_ok (id int); UPDATE cm_ok SET id = 1;', 'cm_')).to.deep.equal([]);
  });
});
