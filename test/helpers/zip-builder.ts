import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

/** One entry of a hand-built ZIP; every field a malicious archive might lie about can be set. */
export interface RawZipEntry {
  name: string;
  data?: Buffer | string;
  /** Unix mode stored in the external attributes (e.g. 0o120777 for a symlink, 0o020644 for a device). */
  mode?: number;
  /** Deflate the data (default) or store it. */
  deflate?: boolean;
  /** Declared uncompressed size, when it should differ from the real one. */
  declaredSize?: number;
  /** Flag the entry as encrypted (general purpose bit 0); the data stays as given. */
  encrypted?: boolean;
}

/**
 * Writes a ZIP archive byte by byte, so tests can make archives a well-behaved ZIP library refuses to write:
 * absolute names, `..` segments, symlinks, device files, duplicates, lying sizes, entries flagged encrypted.
 */
export function buildZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = Buffer.isBuffer(entry.data) ? entry.data : Buffer.from(entry.data ?? '');
    const deflate = entry.deflate ?? true;
    const body = deflate ? zlib.deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = zlib.crc32(data);
    const size = entry.declaredSize ?? data.length;
    const method = deflate ? 8 : 0;
    const flags = 0x800 | (entry.encrypted ? 0x1 : 0); // UTF-8 names, and maybe "encrypted"
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? (entry.name.endsWith('/') ? 0o040755 : 0o100644)) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The files of a folder as ZIP entries, under `prefix` (e.g. `dummy/` for a single top folder). */
export async function folderEntries(dir: string, prefix = ''): Promise<RawZipEntry[]> {
  const entries: RawZipEntry[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const full = path.join(dir, name);
    if ((await stat(full)).isDirectory()) entries.push(...(await folderEntries(full, `${prefix}${name}/`)));
    else entries.push({ name: `${prefix}${name}`, data: await readFile(full) });
  }
  return entries;
}
