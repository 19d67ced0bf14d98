import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { moduleDir } from './tm-server.js';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const docs = readFileSync(path.join(moduleDir, '..', '..', 'docs', 'temperature-monitor.md'), 'utf8');
const manifest = JSON.parse(readFileSync(path.join(moduleDir, 'manifest.json'), 'utf8')) as {
  routes: Array<{ method: string; path: string }>;
  settings: Record<string, unknown>;
};

describe('temperature-monitor: docs/temperature-monitor.md lists what the module has', () => {
  it('every TM_ error code the code can answer, in the error table', () => {
    const codes = new Set(
      filesUnder(path.join(moduleDir, 'src')).flatMap(
        (file) => readFileSync(file, 'utf8').match(/\bTM_[A-Z_]+\b/g) ?? [],
      ),
    );
    expect(codes.size).to.be.greaterThan(5);
    for (const code of codes) expect(docs, code).to.match(new RegExp(`^\\| \`${code}\` \\| \\d{3} \\|`, 'm'));
  });

  it('every API route of the manifest, and every setting', () => {
    for (const route of manifest.routes) {
      expect(docs, `${route.method} ${route.path}`).to.contain(`\`${route.method} ${route.path}`);
    }
    for (const setting of Object.keys(manifest.settings)) expect(docs, setting).to.contain(`| \`${setting}\` |`);
  });
});
