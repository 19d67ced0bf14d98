import { expect } from 'chai';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createStorageService, type StorageService } from '../../src/services/storage/storage.service.js';

describe('StorageService', () => {
  let root: string;
  let storage: StorageService;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'nxf-storage-'));
    storage = createStorageService(path.join(root, 'storage'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const refusal = async (work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      return error as { code: string; message: string };
    }
    throw new Error('expected a refusal');
  };

  it('saves, reads and deletes files in the module folder, atomically', async () => {
    const files = storage.forModule('consumption-monitor', { writable: true });
    expect(await files.saveFile('reports/2026-11.csv', 'a,b\n')).to.equal(path.join('reports', '2026-11.csv'));
    expect((await files.readFile('reports/2026-11.csv')).toString()).to.equal('a,b\n');
    await files.saveFile('reports/2026-11.csv', Buffer.from('c,d\n'));
    expect((await files.readFile('./reports//2026-11.csv')).toString()).to.equal('c,d\n');
    expect(await readdir(path.join(storage.root, 'consumption-monitor', 'reports'))).to.deep.equal(['2026-11.csv']);
    await files.deleteFile('reports/2026-11.csv');
    expect(await files.exists('reports/2026-11.csv')).to.equal(false);
    await files.deleteFile('reports/2026-11.csv');
    expect((await refusal(files.readFile('reports/2026-11.csv'))).code).to.equal('NXF_STORAGE_NOT_FOUND');
  });

  it('organises screenshots by module and date', async () => {
    const files = storage.forModule('temperature-monitor', { writable: true });
    const before = Date.now();
    const saved = await files.saveScreenshot('bmc 7/../error', Buffer.from('png'));
    const after = Date.now();
    const match = /^screenshots\/(\d{4}-\d\d-\d\d)\/bmc-7-\.\.-error-(\d\d)(\d\d)(\d\d)(\d{3})\.png$/.exec(saved);
    expect(match, saved).to.not.equal(null);
    // The folder and the stamp are the UTC date and time of the save (read from the name, so midnight cannot
    // fall between the save and the check).
    const [, day, hours, minutes, seconds, millis] = match as unknown as string[];
    const savedAt = Date.parse(`${day}T${hours}:${minutes}:${seconds}.${millis}Z`);
    expect(savedAt).to.be.within(before, after);
    expect(await readFile(path.join(storage.root, 'temperature-monitor', saved), 'utf8')).to.equal('png');
    expect(await files.getModuleAssetPath('logo.svg')).to.equal(
      path.join(storage.root, 'temperature-monitor', 'logo.svg'),
    );
  });

  it('refuses traversal, absolute paths and symbolic links with NXF_STORAGE_PATH', async () => {
    const files = storage.forModule('consumption-monitor', { writable: true });
    await writeFile(path.join(root, 'outside.txt'), 'secret');
    await mkdir(path.join(storage.root, 'consumption-monitor'), { recursive: true });
    await symlink(root, path.join(storage.root, 'consumption-monitor', 'escape'));
    await symlink(path.join(root, 'outside.txt'), path.join(storage.root, 'consumption-monitor', 'link.txt'));
    const attempts = [
      () => files.readFile('../../outside.txt'),
      () => files.saveFile('a/../../b.txt', 'x'),
      () => files.readFile('/etc/passwd'),
      () => files.saveFile(path.join(root, 'outside.txt'), 'x'),
      () => files.readFile('escape/outside.txt'),
      () => files.saveFile('escape/new.txt', 'x'),
      () => files.readFile('link.txt'),
      () => files.deleteFile('link.txt'),
      () => files.getModuleAssetPath('..'),
      () => files.readFile(''),
    ];
    for (const attempt of attempts) expect((await refusal(attempt())).code).to.equal('NXF_STORAGE_PATH');
    expect(await readFile(path.join(root, 'outside.txt'), 'utf8')).to.equal('secret');
    expect(() => storage.forModule('../x'))
      .to.throw()
      .with.property('code', 'NXF_STORAGE_PATH');
  });

  it('lets a read-only grant read but not write', async () => {
    await storage.forModule('temperature-monitor', { writable: true }).saveFile('exports/week.csv', 'kwh\n12.5\n');
    const readOnly = storage.forModule('temperature-monitor');
    expect(readOnly.writable).to.equal(false);
    expect((await readOnly.readFile('exports/week.csv')).toString()).to.equal('kwh\n12.5\n');
    expect(await readOnly.exists('exports/week.csv')).to.equal(true);
    expect((await refusal(readOnly.readFile('exports/missing.csv'))).code).to.equal('NXF_STORAGE_NOT_FOUND');
    expect((await refusal(readOnly.readFile('../consumption-monitor/x'))).code).to.equal('NXF_STORAGE_PATH');
    const error = await refusal(readOnly.saveFile('x.txt', 'x'));
    expect(error.code).to.equal('NXF_CAPABILITY_DENIED');
    expect(error.message).to.contain('storage:write').and.contain('temperature-monitor');
    expect((await refusal(readOnly.deleteFile('exports/week.csv'))).code).to.equal('NXF_CAPABILITY_DENIED');
    expect((await refusal(readOnly.saveScreenshot('x', Buffer.from('png')))).code).to.equal('NXF_CAPABILITY_DENIED');
    expect(await readFile(path.join(storage.root, 'temperature-monitor', 'exports', 'week.csv'), 'utf8')).to.equal(
      'kwh\n12.5\n',
    );
  });
});
