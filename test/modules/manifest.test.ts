import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NxfError } from '../../src/errors.js';
import { readManifest, validateManifest, type ManifestProblem } from '../../src/modules/manifest/manifest-read.js';
import type { ModuleManifest } from '../../src/modules/manifest/manifest-types.js';
import { fixturePath } from '../helpers/modules.js';

const reference = (): ModuleManifest =>
  JSON.parse(readFileSync(fixturePath('reference-manifest.json'), 'utf8')) as ModuleManifest;
const dummy = (): ModuleManifest =>
  JSON.parse(readFileSync(path.join(fixturePath('dummy-module'), 'manifest.json'), 'utf8')) as ModuleManifest;

/** The problems validation reports for `manifest` after `change`. */
function problems(change: (manifest: Record<string, any>) => void, base = dummy()): ManifestProblem[] {
  const manifest = structuredClone(base) as Record<string, any>;
  change(manifest);
  try {
    validateManifest(manifest);
  } catch (error) {
    expect(error).to.be.instanceOf(NxfError).with.property('code', 'NXF_MANIFEST_INVALID');
    return (error as NxfError).details as ManifestProblem[];
  }
  return expect.fail('the manifest was accepted');
}

describe('manifest v2', () => {
  it('accepts the reference consumption-monitor manifest (test/fixtures/reference-manifest.json)', () => {
    const manifest = validateManifest(reference());
    expect(manifest.name).to.equal('consumption-monitor');
    expect(manifest.jobs['collect-consumption']?.schedule).to.equal('*/15 * * * *');
    expect(manifest.ui.routes).to.deep.equal([{ path: '/consumption/*' }]);
  });

  it('accepts the dummy module, which uses every field', () => {
    expect(validateManifest(dummy()).ui.widgets).to.have.length(1);
  });

  it('names a missing required field', () => {
    expect(problems((m) => delete m.version)).to.deep.include({ field: 'version', message: 'is required' });
    expect(problems((m) => delete m.ui.sidebar.label)).to.deep.include({
      field: 'ui.sidebar.label',
      message: 'is required',
    });
  });

  it('refuses unknown keys anywhere, naming them', () => {
    expect(problems((m) => (m.colour = 'blue'))).to.deep.include({ field: 'colour', message: 'is not a known field' });
    expect(problems((m) => (m.ui.entry = './ui/index.js'))).to.deep.include({
      field: 'ui.entry',
      message: 'is not a known field',
    });
    expect(problems((m) => (m.routes[0].component = 'x'))).to.deep.include({
      field: 'routes[0].component',
      message: 'is not a known field',
    });
  });

  it('refuses a name that is not kebab-case and a version that is not semver', () => {
    expect(problems((m) => (m.name = 'Dummy_Module'))).to.deep.include({
      field: 'name',
      message: 'must be kebab-case: lower-case letters and digits joined by dashes',
    });
    expect(problems((m) => (m.version = '1.0'))).to.deep.include({
      field: 'version',
      message: 'must be a semantic version such as 1.2.3',
    });
    expect(problems((m) => (m.dependencies['@nxforge/core'] = 'latest!'))).to.deep.include({
      field: 'dependencies.@nxforge/core',
      message: 'must be a semver range such as ^5.0.0',
    });
  });

  it('refuses a bad cron schedule, an unknown capability and a bad table prefix', () => {
    expect(problems((m) => (m.jobs.tick.schedule = 'every minute'))[0]?.field).to.equal('jobs.tick.schedule');
    expect(problems((m) => m.permissions.push('root:access'))[0]).to.include({ field: 'permissions[4]' });
    expect(problems((m) => (m.tablePrefix = 'dm'))).to.deep.include({
      field: 'tablePrefix',
      message: 'must be a short lower-case word followed by an underscore, e.g. cm_',
    });
  });

  it('refuses settings whose defaults or options do not fit their type', () => {
    expect(problems((m) => (m.settings.pageSize.default = 'ten'))[0]?.field).to.equal('settings.pageSize.default');
    expect(problems((m) => (m.settings.pageSize.default = 500))).to.deep.include({
      field: 'settings.pageSize.default',
      message: 'must be a valid number',
    });
    expect(problems((m) => delete m.settings.colour.options)).to.deep.include({
      field: 'settings.colour.options',
      message: 'a select needs options',
    });
    expect(problems((m) => (m.settings.colour.default = 'blue'))).to.deep.include({
      field: 'settings.colour.default',
      message: 'must be a valid select',
    });
  });

  it('refuses a route declared twice, a self dependency and a duplicate widget', () => {
    expect(problems((m) => m.routes.push({ ...m.routes[0] }))[0]?.message).to.equal('GET /items is declared twice');
    expect(problems((m) => (m.dependencies.dummy = '^1.0.0'))).to.deep.include({
      field: 'dependencies.dummy',
      message: 'a module cannot depend on itself',
    });
    expect(problems((m) => m.ui.widgets.push({ ...m.ui.widgets[0] }))[0]?.field).to.equal('ui.widgets[1].id');
  });

  it('takes "kiosk": true on a sidebar child (a page displays may show) and the filters it honours; refuses anything else', () => {
    const kiosk = validateManifest(dummy()).ui.sidebar.children.filter((child) => child.kiosk);
    expect(kiosk.map((child) => child.path)).to.deep.equal(['/dummy/chart', '/dummy/board']);
    expect(problems((m) => (m.ui.sidebar.children[0].kiosk = 'yes'))).to.deep.include({
      field: 'ui.sidebar.children[0].kiosk',
      message: 'must be boolean',
    });
    const board = validateManifest(dummy()).ui.sidebar.children.find((child) => child.path === '/dummy/board');
    expect(board?.kioskFilters).to.deep.equal(['rack']);
    expect(problems((m) => (m.ui.sidebar.children[2].kioskFilters = ['room']))[0]?.field).to.equal(
      'ui.sidebar.children[2].kioskFilters[0]',
    );
    expect(problems((m) => (m.ui.sidebar.children[2].kioskFilters = ['rack', 'rack']))[0]?.field).to.equal(
      'ui.sidebar.children[2].kioskFilters',
    );
  });

  it('lists every problem at once', () => {
    expect(
      problems((m) => {
        delete m.author;
        m.version = 'x';
        m.name = 'A';
      }).length,
    ).to.be.at.least(3);
  });

  describe('reading manifest.json', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'nxf-manifest-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it("reports malformed JSON with the parser's position", async () => {
      await writeFile(path.join(dir, 'manifest.json'), '{ "name": "x", }');
      const error = await readManifest(dir).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NxfError).with.property('code', 'NXF_MANIFEST_JSON');
      expect((error as Error).message).to.match(/manifest\.json is not valid JSON: .*position/);
    });

    it('reports a missing manifest', async () => {
      const error = await readManifest(dir).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(NxfError).with.property('code', 'NXF_MANIFEST_MISSING');
    });
  });
});
