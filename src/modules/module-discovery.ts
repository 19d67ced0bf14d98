import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';

/** Folders directly under `root` that hold a `manifest.json`, sorted by name. */
export async function findModuleFolders(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return [];
  }
  return entries
    .sort()
    .map((entry) => path.join(root, entry))
    .filter((dir) => existsSync(path.join(dir, 'manifest.json')));
}
