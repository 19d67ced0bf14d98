import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { NxfError } from '../../errors.js';
import type { Actor } from '../module-journal.js';
import type { ModuleManager } from '../module-manager.js';
import type { ModuleRecord } from '../module-store.js';
import { checkModulePackage, moduleRoot } from './package-check.js';
import { defaultZipLimits, extractZip, inspectZip, type ZipLimits } from './zip-archive.js';

/** What an install did: the module's record, and the version it replaced when it was an upgrade. */
export interface InstallOutcome {
  record: ModuleRecord;
  upgradedFrom?: string;
}

/**
 * Installs modules from ZIP archives into `<dataDir>/modules`: the archive is checked entry by entry, unpacked
 * into a staging folder, validated as a module, then moved into place with one rename (each version gets its own
 * folder, so a reload imports the new code). A refused upload writes nothing outside staging, and staging is
 * always cleaned. Installing a higher version of an installed module upgrades it, keeping its data.
 */
export class ModuleInstaller {
  readonly #busy = new Set<string>();

  constructor(
    private readonly modules: ModuleManager,
    readonly installedDir: string,
    private readonly limits: ZipLimits = defaultZipLimits,
  ) {}

  /** Where uploads and unpacked archives wait while they are checked. */
  get stagingDir(): string {
    return path.join(this.installedDir, '.staging');
  }

  /**
   * @throws NxfError NXF_ZIP_* for an unsafe or unreadable archive, NXF_MODULE_INVALID (400, `details` lists the
   *   problems) for an invalid module, NXF_MODULE_VERSION (409) for the same or a lower version without `force`,
   *   NXF_MODULE_BUSY (409) while the same module is being installed.
   */
  async installZip(file: string, options: { actor: Actor; force?: boolean }): Promise<InstallOutcome> {
    await mkdir(this.stagingDir, { recursive: true });
    const staging = await mkdtemp(path.join(this.stagingDir, 'unpack-'));
    try {
      const root = moduleRoot(await inspectZip(file, this.limits));
      await extractZip(file, staging, this.limits);
      const moduleDir = path.join(staging, root);
      const check = await checkModulePackage(moduleDir);
      if (!check.manifest || check.problems.length > 0) {
        const message = `The module is not valid: ${check.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
        if (check.name)
          await this.modules.recordInvalid(check.name, check.manifest?.version, check.problems, message, options.actor);
        throw new NxfError('NXF_MODULE_INVALID', message, { status: 400, details: check.problems });
      }
      await declareEsModules(moduleDir);
      const { name, version } = check.manifest;
      if (this.#busy.has(name))
        throw new NxfError('NXF_MODULE_BUSY', `${name} is being installed right now; try again when that is done.`, {
          status: 409,
        });
      this.#busy.add(name);
      try {
        return await this.#place(moduleDir, name, version, options);
      } finally {
        this.#busy.delete(name);
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Uninstalls a module and, for an installed (not bundled) one, deletes its files. */
  async uninstall(name: string, actor: Actor, options: { purge?: boolean } = {}): Promise<ModuleRecord> {
    const { record } = await this.modules.uninstall(name, actor, options);
    if (record.source === 'installed' && this.#owns(record.directory))
      await rm(record.directory, { recursive: true, force: true });
    return record;
  }

  async #place(
    moduleDir: string,
    name: string,
    version: string,
    options: { actor: Actor; force?: boolean },
  ): Promise<InstallOutcome> {
    const existing = await this.modules.store.get(name);
    const active = existing && existing.status !== 'REMOVED' && existing.status !== 'INVALID' ? existing : undefined;
    if (active && !options.force && !semver.gt(version, active.version)) {
      throw new NxfError(
        'NXF_MODULE_VERSION',
        `${name} ${active.version} is installed; ${version} is not newer. Upload a higher version, or force the install.`,
        { status: 409 },
      );
    }
    const target = this.#freeFolder(`${name}@${version}`);
    await rename(moduleDir, target);
    try {
      if (!active) return { record: await this.modules.installFromDirectory(target, 'installed', options.actor) };
      const { record, previousDirectory } = await this.modules.upgrade(name, target, options.actor);
      if (previousDirectory !== target && active.source === 'installed' && this.#owns(previousDirectory)) {
        await rm(previousDirectory, { recursive: true, force: true });
      }
      return { record, upgradedFrom: active.version };
    } catch (error) {
      const current = await this.modules.store.get(name);
      if (current?.directory !== target) await rm(target, { recursive: true, force: true });
      throw error;
    }
  }

  /** A folder name not taken yet: `name@version`, then `name@version-2`… (a forced reinstall of one version). */
  #freeFolder(base: string): string {
    let candidate = path.join(this.installedDir, base);
    for (let n = 2; existsSync(candidate); n += 1) candidate = path.join(this.installedDir, `${base}-${n}`);
    return candidate;
  }

  #owns(directory: string): boolean {
    return (
      directory.startsWith(`${this.installedDir}${path.sep}`) && !directory.startsWith(`${this.stagingDir}${path.sep}`)
    );
  }
}

/**
 * Node decides how to read a `.js` file from the nearest package.json above it; in an archive without one,
 * that could be any package.json above the data directory (`"type": "commonjs"` makes every ESM entry and
 * migration fail to load). The install folder therefore says itself that its JavaScript is ES modules.
 */
async function declareEsModules(moduleDir: string): Promise<void> {
  const file = path.join(moduleDir, 'package.json');
  if (existsSync(file)) return;
  const declaration = { type: 'module', description: 'Written by NxForge at install: this module is ES modules.' };
  await writeFile(file, `${JSON.stringify(declaration, null, 2)}\n`, { flag: 'wx' });
}
