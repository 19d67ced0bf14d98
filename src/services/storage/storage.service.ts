import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NxfError } from '../../errors.js';
import { capabilityDenied } from '../capabilities.js';

/** Files of one module, inside its own folder; every path is relative to that folder. */
export interface ModuleStorage {
  /** The module this storage belongs to. */
  readonly moduleName: string;
  /** False for a module granted `storage:read` only: every write throws NXF_CAPABILITY_DENIED. */
  readonly writable: boolean;
  /** Writes a file atomically (temporary file, then rename) and returns its relative path. */
  saveFile(relativePath: string, content: Buffer | string): Promise<string>;
  /** Reads a file; NXF_STORAGE_NOT_FOUND when there is none. */
  readFile(relativePath: string): Promise<Buffer>;
  /** Removes a file; removing a file that is not there is not an error. */
  deleteFile(relativePath: string): Promise<void>;
  /** True when the file exists. */
  exists(relativePath: string): Promise<boolean>;
  /** Saves a PNG under `screenshots/<YYYY-MM-DD>/<name>-<HHMMSSmmm>.png` (UTC) and returns that relative path. */
  saveScreenshot(name: string, png: Buffer): Promise<string>;
  /** Absolute path of `asset` inside the module's folder, checked like every other path (the file need not exist). */
  getModuleAssetPath(asset: string): Promise<string>;
}

/** The storage root (`$NXFORGE_DATA_DIR/storage`) and one folder per module under it. */
export interface StorageService {
  /** Absolute path of the storage root. */
  readonly root: string;
  /** The storage of `moduleName`; read-only unless `writable`. */
  forModule(moduleName: string, options?: { writable?: boolean }): ModuleStorage;
  /** Deletes everything `moduleName` stored (an uninstall with purge). */
  deleteModule(moduleName: string): Promise<void>;
}

const moduleNamePattern = /^[a-z][a-z0-9-]{0,63}$/;

/** Creates the storage service rooted at `root` (created on first write). */
export function createStorageService(root: string): StorageService {
  const absoluteRoot = path.resolve(root);
  return {
    root: absoluteRoot,
    forModule(moduleName, options = {}) {
      if (!moduleNamePattern.test(moduleName)) {
        throw pathError(`"${moduleName}" is not a module name (kebab-case).`);
      }
      return createModuleStorage(path.join(absoluteRoot, moduleName), moduleName, options.writable ?? false);
    },
    async deleteModule(moduleName) {
      if (!moduleNamePattern.test(moduleName)) throw pathError(`"${moduleName}" is not a module name (kebab-case).`);
      await rm(path.join(absoluteRoot, moduleName), { recursive: true, force: true });
    },
  };
}

function createModuleStorage(folder: string, moduleName: string, writable: boolean): ModuleStorage {
  const assertWritable = () => {
    if (!writable) throw capabilityDenied('storage:write', moduleName);
  };

  const saveFile = async (relativePath: string, content: Buffer | string) => {
    assertWritable();
    const target = await resolveInside(folder, relativePath, { create: true });
    await writeAtomically(target, content);
    return path.relative(folder, target);
  };

  return {
    moduleName,
    writable,
    saveFile,
    async readFile(relativePath) {
      const target = await resolveInside(folder, relativePath);
      const handle = await openNoFollow(target, relativePath);
      try {
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },
    async deleteFile(relativePath) {
      assertWritable();
      const target = await resolveInside(folder, relativePath);
      await unlink(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
    async exists(relativePath) {
      const target = await resolveInside(folder, relativePath);
      return (await lstatOrUndefined(target))?.isFile() ?? false;
    },
    async saveScreenshot(name, png) {
      const safeName =
        name
          .replace(/[^A-Za-z0-9._-]+/g, '-')
          .replace(/^[-.]+/, '')
          .slice(0, 80) || 'screenshot';
      const iso = new Date().toISOString();
      const stamp = iso.slice(11, 23).replace(/[:.]/g, '');
      return saveFile(`screenshots/${iso.slice(0, 10)}/${safeName}-${stamp}.png`, png);
    },
    getModuleAssetPath: (asset) => resolveInside(folder, asset),
  };
}

/**
 * Resolves `relativePath` inside `folder`, refusing anything that would leave it: absolute paths, `..` segments,
 * NUL bytes, and symbolic links anywhere on the way (a link could point outside, now or later).
 * @throws NxfError NXF_STORAGE_PATH
 */
async function resolveInside(
  folder: string,
  relativePath: string,
  options: { create?: boolean } = {},
): Promise<string> {
  if (typeof relativePath !== 'string' || relativePath.trim() === '' || relativePath.includes('\0')) {
    throw pathError('A storage path must be a non-empty relative path.');
  }
  if (path.isAbsolute(relativePath) || /^[A-Za-z]:|^[\\/]/.test(relativePath)) {
    throw pathError(`"${relativePath}" is absolute; storage paths are relative to the module's folder.`);
  }
  const segments = relativePath.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.');
  if (segments.length === 0 || segments.includes('..')) {
    throw pathError(`"${relativePath}" leaves the module's folder.`);
  }
  // The module folder itself must not be a link either (it could be replaced by one pointing elsewhere).
  if ((await lstatOrUndefined(folder))?.isSymbolicLink())
    throw pathError("The module's storage folder is a symbolic link.");
  if (options.create) await mkdir(folder, { recursive: true });
  let current = folder;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    const stats = await lstatOrUndefined(current);
    if (stats?.isSymbolicLink()) throw pathError(`"${relativePath}" goes through a symbolic link.`);
    const last = index === segments.length - 1;
    if (!stats && !last && options.create) await mkdir(current);
    else if (stats && !last && !stats.isDirectory()) throw pathError(`"${relativePath}": ${segment} is not a folder.`);
  }
  return current;
}

/** Writes to a temporary file beside `target`, flushes it, then renames it over `target`. */
async function writeAtomically(target: string, content: Buffer | string): Promise<void> {
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o640);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function openNoFollow(target: string, relativePath: string) {
  try {
    return await open(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NxfError('NXF_STORAGE_NOT_FOUND', `No file "${relativePath}".`, { status: 404 });
    if (code === 'ELOOP') throw pathError(`"${relativePath}" is a symbolic link.`);
    throw error;
  }
}

async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await lstat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function pathError(message: string): NxfError {
  return new NxfError('NXF_STORAGE_PATH', message, { status: 400 });
}
