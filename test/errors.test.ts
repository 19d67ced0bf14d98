import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { errorCatalog, isNxfCode, ModuleError, NxfError, type NxfCode } from '../src/errors.js';
import { projectRoot } from '../src/paths.js';

/** A code as written in text; `NXF_ZIP_*` and other prefixes are not codes. */
const codePattern = /\bNXF_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Z0-9_*])/g;
const catalogFile = path.join(projectRoot, 'src', 'error-catalog.ts');

/** The TypeScript files under `dir` (none when it does not exist). */
function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Each code written in the core's sources and the bundled modules' (not the catalog itself), with a file using it. */
function codesInSources(): Map<string, string> {
  const modules = path.join(projectRoot, 'modules');
  const files = [
    ...sourceFiles(path.join(projectRoot, 'src')),
    ...(existsSync(modules)
      ? readdirSync(modules).flatMap((name) => sourceFiles(path.join(modules, name, 'src')))
      : []),
  ].filter((file) => file !== catalogFile);
  const used = new Map<string, string>();
  for (const file of files) {
    for (const [code] of readFileSync(file, 'utf8').matchAll(codePattern))
      used.set(code, path.relative(projectRoot, file));
  }
  return used;
}

/** The rows of docs/errors.md: code → status. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(path.join(projectRoot, 'docs', 'errors.md'), 'utf8');
  return new Map(
    [...text.matchAll(/^\| `(NXF_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

describe('error catalog', () => {
  const catalog = Object.entries(errorCatalog) as Array<[NxfCode, { status: number; forModules?: true }]>;

  it('lists every code the sources use', () => {
    const unlisted = [...codesInSources()]
      .filter(([code]) => !isNxfCode(code))
      .map(([code, file]) => `${code} (${file})`);
    expect(unlisted, 'add them to src/error-catalog.ts and docs/errors.md').to.deep.equal([]);
  });

  it('lists no code the core never raises (but the generic ones offered to modules)', () => {
    const used = codesInSources();
    const unused = catalog.filter(([code, entry]) => !used.has(code) && !entry.forModules).map(([code]) => code);
    expect(unused, 'remove them from the catalog, or mark a generic one forModules').to.deep.equal([]);
  });

  it('docs/errors.md has a row per code, with its status, and none for another code', () => {
    const documented = documentedCodes();
    const missing = catalog.filter(([code, { status }]) => documented.get(code) !== status);
    expect(
      missing.map(([code, { status }]) => `${code} ${status}`),
      'rows missing or with another status',
    ).to.deep.equal([]);
    expect(
      [...documented.keys()].filter((code) => !isNxfCode(code)),
      'rows for unknown codes',
    ).to.deep.equal([]);
  });

  it('every code any page of docs/ names is in the catalog', () => {
    const docs = path.join(projectRoot, 'docs');
    const stale = readdirSync(docs)
      .filter((file) => file.endsWith('.md'))
      .flatMap((file) =>
        [...readFileSync(path.join(docs, file), 'utf8').matchAll(codePattern)]
          .map(([code]) => code)
          .filter((code) => !isNxfCode(code))
          .map((code) => `${code} (docs/${file})`),
      );
    expect(stale).to.deep.equal([]);
  });

  it("an NxfError answers with its code's status unless given another", () => {
    expect(new NxfError('NXF_MODULE_NOT_FOUND', 'There is no module x.').status).to.equal(404);
    expect(new NxfError('NXF_VALIDATION', 'bad form', { status: 422, details: { a: 'x' } })).to.include({
      status: 422,
      code: 'NXF_VALIDATION',
    });
    // @ts-expect-error A code the catalog does not list does not compile.
    expect(new NxfError('NXF_NOT_IN_THE_CATALOG', 'x').status).to.equal(500);
  });

  it("a module's own code passes through ctx.fail's ModuleError with the status it chose", () => {
    const error = new ModuleError(409, 'CM_ENDPOINT_EXISTS', 'That endpoint exists.');
    expect(error).to.be.instanceOf(NxfError).and.include({ code: 'CM_ENDPOINT_EXISTS', status: 409 });
    expect(isNxfCode(error.code)).to.equal(false);
  });
});
