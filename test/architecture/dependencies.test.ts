import { expect } from 'chai';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/paths.js';

/** The layers and rules of .dependency-cruiser.cjs, the file `npx depcruise src` reads too. */
const config = createRequire(import.meta.url)(path.join(projectRoot, '.dependency-cruiser.cjs')) as {
  forbidden: object[];
  options: object;
};

/** Every rule the files under `<baseDir>/src` break, as `rule: from → to`. */
async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], {
    ...config.options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  } as Parameters<typeof cruise>[1]);
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('dependency direction', function () {
  this.timeout(60_000);

  it('web → modules → http → jobs → events → services → auth → db → base, without cycles', async () => {
    expect(await violations(projectRoot)).to.deep.equal([]);
  });

  it('refuses an upward import (type-only too), a cycle, and a file outside the layers', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nxf-layers-'));
    try {
      const files: Record<string, string> = {
        'src/jobs/runner.ts': "import { load } from '../modules/loader.js';\nexport const run = () => load();\n",
        'src/modules/loader.ts':
          "import type { Page } from '../web/page.js';\nexport const load = (): Page | undefined => undefined;\n",
        'src/web/page.ts': 'export interface Page { title: string }\n',
        'src/db/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
        'src/db/b.ts': "import { a } from './a.js';\nexport const b = (): unknown => a;\n",
        'src/stray/thing.ts': "export { a } from '../db/a.js';\n",
      };
      for (const [file, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
      const found = await violations(dir);
      expect(found.filter((v) => !v.startsWith('no-circular'))).to.have.members([
        'jobs-not-upward: src/jobs/runner.ts → src/modules/loader.ts',
        'modules-not-upward: src/modules/loader.ts → src/web/page.ts',
        'in-a-layer: src/stray/thing.ts → src/db/a.ts',
      ]);
      // A cycle is reported once, from the file where the search entered it.
      expect(found.filter((v) => v.startsWith('no-circular')))
        .to.have.length(1)
        .and.to.satisfy((cycle: string[]) =>
          /^no-circular: src\/db\/[ab]\.ts → src\/db\/[ab]\.ts$/.test(cycle[0] ?? ''),
        );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
