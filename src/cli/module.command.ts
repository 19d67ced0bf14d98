import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { createCoreServices } from '../core-services.js';
import { migrateCore } from '../db/core-migrations.js';
import { NxfError } from '../errors.js';
import { Keyring, resolveSecret } from '../keyring.js';
import { createLogger } from '../logger.js';
import { packModule } from '../modules/authoring/pack.js';
import { scaffoldModule } from '../modules/authoring/scaffold.js';
import { checkModulePackage, moduleRoot } from '../modules/install/package-check.js';
import { defaultZipLimits, extractZip, inspectZip } from '../modules/install/zip-archive.js';
import { openDatabase } from '../nxforge.js';

export const moduleUsage = `  module new <name> [--dir <folder>]           scaffold a module (TypeScript entry, page, API route,
                                                view, SQL migration, job, test)
  module validate <folder|file.zip>            check a module as installing it would; exit 1 with the problems
  module pack <folder> [--out <folder>]        build it and write <name>-<version>.zip with only what it needs
  module install <file.zip> [--force] [--enable]
                                                install (or upgrade) it into this NxForge's data directory`;

/** `nxforge module …`: the module author's commands. Returns the exit code. */
export async function moduleCommand(args: string[], config: () => Config): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      enable: { type: 'boolean' },
    },
  });
  const target = positionals[0];
  if (!target) throw new NxfError('NXF_USAGE', `module ${action ?? ''} needs an argument.\n${moduleUsage}`);
  switch (action) {
    case 'new': {
      const dir = await scaffoldModule(target, values.dir ?? process.cwd());
      console.log(`Created ${dir}\nNext: cd ${path.relative(process.cwd(), dir) || '.'} && npx nxforge module pack .`);
      return 0;
    }
    case 'validate':
      return validate(target);
    case 'pack': {
      const { file, entries } = await packModule(target, values.out ?? process.cwd());
      console.log(`Wrote ${file} (${entries} files)`);
      return 0;
    }
    case 'install':
      return install(target, config(), { force: values.force ?? false, enable: values.enable ?? false });
    default:
      throw new NxfError('NXF_USAGE', `Unknown module command: ${action}\n${moduleUsage}`);
  }
}

/** Checks a folder or an archive; prints each problem. */
async function validate(target: string): Promise<number> {
  let staging: string | undefined;
  try {
    let dir = path.resolve(target);
    if (target.endsWith('.zip')) {
      staging = await mkdtemp(path.join(os.tmpdir(), 'nxf-validate-'));
      const root = moduleRoot(await inspectZip(dir, defaultZipLimits));
      await extractZip(dir, staging, defaultZipLimits);
      dir = path.join(staging, root);
    }
    const check = await checkModulePackage(dir);
    if (check.manifest && check.problems.length === 0) {
      console.log(`${check.manifest.name} ${check.manifest.version} is a valid module.`);
      return 0;
    }
    console.error(`${check.name ?? target} is not a valid module:`);
    for (const problem of check.problems) console.error(`  ${problem.field}: ${problem.message}`);
    if (check.problems.some((p) => p.message.includes('dist/')) && existsSync(path.join(dir, 'tsconfig.json'))) {
      console.error('  (dist/ is built from src/ by `nxforge module pack`)');
    }
    return 1;
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Installs an archive into the configured data directory and database, like an upload on the Modules page. A
 * running server on the same database learns of it at once (PostgreSQL notifications).
 */
async function install(file: string, config: Config, options: { force: boolean; enable: boolean }): Promise<number> {
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const { db, embedded } = await openDatabase(config, logger);
  try {
    await migrateCore(db);
    const keyring = new Keyring(await resolveSecret(config.dataDir, config.secret));
    const services = await createCoreServices(config, db, logger, keyring);
    const actor = { name: 'cli', reason: 'nxforge module install' };
    try {
      const outcome = await services.installer.installZip(path.resolve(file), { actor, force: options.force });
      const { name, version } = outcome.record;
      console.log(
        outcome.upgradedFrom
          ? `Upgraded ${name} ${outcome.upgradedFrom} → ${version}.`
          : `Installed ${name} ${version}.`,
      );
      if (options.enable && !outcome.upgradedFrom) {
        await services.modules.enable(name, actor);
        console.log(`Enabled ${name}.`);
      }
      return 0;
    } finally {
      await services.modules.stop();
      await services.notifications.stop();
      await services.toolkit.stop();
    }
  } finally {
    await db.close();
    await embedded?.stop();
  }
}
