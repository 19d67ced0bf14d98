import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { NxfError, type NxfCode } from '../../errors.js';

/** Bounds on what an uploaded module archive may unpack to. */
export interface ZipLimits {
  maxEntries: number;
  /** Sum of the entries' sizes once unpacked (the archive's own claim, enforced while extracting too). */
  maxUncompressedBytes: number;
}

export const defaultZipLimits: ZipLimits = { maxEntries: 5000, maxUncompressedBytes: 200 * 1024 * 1024 };

/** A file or folder of an archive that passed the safety checks. */
export interface SafeEntry {
  name: string;
  directory: boolean;
  size: number;
}

const fileTypeMask = 0o170000;
const regularFile = 0o100000;
const directoryType = 0o040000;
const symlinkType = 0o120000;

const refuse = (code: NxfCode, message: string, status = 400) => new NxfError(code, message, { status });

/**
 * NXF_ZIP_INVALID in plain words for the person uploading; what the ZIP library said goes in the details
 * (`[{field: 'file', message, detail}]`), for whoever looks closer.
 */
const unreadable = (message: string, error: unknown) =>
  new NxfError('NXF_ZIP_INVALID', message, {
    status: 400,
    details: [{ field: 'file', message, detail: (error as Error).message }],
    cause: error,
  });

/**
 * Lists an archive's entries, refusing anything unsafe before a byte is written: names that are absolute,
 * climb out with `..`, use backslashes or drive letters; symlinks, devices, FIFOs and sockets; duplicate names
 * (compared case-insensitively, as some filesystems do); encrypted entries; more entries or more unpacked bytes
 * than the limits allow (zip bombs).
 * @throws NxfError NXF_ZIP_INVALID (not a ZIP, truncated), NXF_ZIP_UNSAFE_PATH, NXF_ZIP_LINK,
 *   NXF_ZIP_SPECIAL_FILE, NXF_ZIP_DUPLICATE, NXF_ZIP_ENCRYPTED, NXF_ZIP_TOO_BIG (413).
 */
export async function inspectZip(file: string, limits: ZipLimits): Promise<SafeEntry[]> {
  const zip = await openZip(file);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw refuse(
        'NXF_ZIP_TOO_BIG',
        `The archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are allowed.`,
        413,
      );
    }
    const entries: SafeEntry[] = [];
    const seen = new Set<string>();
    let total = 0;
    for await (const entry of iterateEntries(zip)) {
      const name = safeName(entry);
      const mode = (entry.externalFileAttributes >>> 16) & fileTypeMask;
      const madeOnUnix = entry.versionMadeBy >> 8 === 3;
      const directory = name.endsWith('/');
      if (madeOnUnix && mode === symlinkType)
        throw refuse('NXF_ZIP_LINK', `The archive holds a symbolic link: ${name}`);
      if (madeOnUnix && mode !== 0 && mode !== regularFile && mode !== directoryType) {
        throw refuse('NXF_ZIP_SPECIAL_FILE', `The archive holds a device, FIFO or socket: ${name}`);
      }
      if (entry.isEncrypted()) throw refuse('NXF_ZIP_ENCRYPTED', `The archive holds an encrypted entry: ${name}`);
      const key = name.replace(/\/$/, '').toLowerCase();
      if (seen.has(key)) throw refuse('NXF_ZIP_DUPLICATE', `The archive holds ${name} twice.`);
      seen.add(key);
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressedBytes) {
        throw refuse(
          'NXF_ZIP_TOO_BIG',
          `The archive unpacks to more than ${formatBytes(limits.maxUncompressedBytes)}.`,
          413,
        );
      }
      entries.push({ name, directory, size: entry.uncompressedSize });
    }
    return entries;
  } finally {
    zip.close();
  }
}

/**
 * Writes the archive's files under `destination` (which must be empty), creating regular files and folders
 * only. yauzl checks each entry's real unpacked size against the size it claims, so a lying header stops the
 * extraction; the running total is checked against the limit as well.
 */
export async function extractZip(file: string, destination: string, limits: ZipLimits): Promise<void> {
  const zip = await openZip(file);
  let written = 0;
  try {
    for await (const entry of iterateEntries(zip)) {
      const name = safeName(entry);
      const target = path.join(destination, name);
      if (!target.startsWith(`${destination}${path.sep}`))
        throw refuse('NXF_ZIP_UNSAFE_PATH', `Unsafe path in the archive: ${name}`);
      if (name.endsWith('/')) {
        await mkdir(target, { recursive: true, mode: 0o755 });
        continue;
      }
      await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (error, readStream) => (error ? reject(error) : resolve(readStream))),
      );
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          if (written > limits.maxUncompressedBytes) {
            done(
              refuse(
                'NXF_ZIP_TOO_BIG',
                `The archive unpacks to more than ${formatBytes(limits.maxUncompressedBytes)}.`,
                413,
              ),
            );
          } else {
            done(null, chunk);
          }
        },
      });
      await pipeline(stream, counter, createWriteStream(target, { flags: 'wx', mode: 0o644 }));
    }
  } catch (error) {
    if (error instanceof NxfError) throw error;
    throw unreadable('The archive could not be unpacked: it is damaged.', error);
  } finally {
    zip.close();
  }
}

/** An entry's name, decoded as the archive says (UTF-8 flag, Unicode path field), once checked as safe. */
function safeName(entry: yauzl.Entry): string {
  const raw = entry.fileNameRaw as unknown as Buffer;
  const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
  assertSafeName(name);
  return name;
}

/** Refuses names that could write outside the destination or mean different things on different systems. */
function assertSafeName(name: string): void {
  const problem = yauzl.validateFileName(name);
  if (problem !== null || name === '' || name.includes('\0')) {
    throw refuse('NXF_ZIP_UNSAFE_PATH', `Unsafe path in the archive (${problem ?? 'empty name'}).`);
  }
}

async function openZip(file: string): Promise<yauzl.ZipFile> {
  try {
    return await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        file,
        { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: true, autoClose: false },
        (error, zip) => (error ? reject(error) : resolve(zip)),
      ),
    );
  } catch (error) {
    throw unreadable('This file is not a ZIP archive, or it is cut short.', error);
  }
}

/** The archive's entries one by one (yauzl's lazy mode), as an async iterator. */
async function* iterateEntries(zip: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  while (true) {
    const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
      const onEntry = (found: yauzl.Entry) => (cleanup(), resolve(found));
      const onEnd = () => (cleanup(), resolve(undefined));
      const onError = (error: Error) => (cleanup(), reject(unreadable('The archive is damaged.', error)));
      const cleanup = () => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    });
    if (!entry) return;
    yield entry;
  }
}

function formatBytes(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
