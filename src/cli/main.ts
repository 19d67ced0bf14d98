import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { errorMessage, isNxfError } from '../errors.js';
import { migrateCommand } from './migrate.command.js';
import { moduleCommand, moduleUsage } from './module.command.js';
import { serveCommand } from './serve.command.js';
import { userCreateCommand } from './user.command.js';

const usage = `Usage: nxforge <command>

Commands:
  serve                                         run the server (the default of npm start)
  migrate                                       apply pending core migrations and exit
  user create --username U --role R [--password P]
                                                create a user (admin, operator or viewer); without
                                                --password one is generated and printed
${moduleUsage}

Configuration comes from the environment: PORT, NXFORGE_DATA_DIR, DATABASE_URL, NXFORGE_ADMIN_PASSWORD,
NXFORGE_SECRET, NXFORGE_HOST, NXFORGE_LOG_LEVEL, NXFORGE_TRUST_PROXY, NXFORGE_WORKERS (see README.md).`;

/** Runs the command named by `argv`; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(loadConfig());
      case 'migrate':
        return await migrateCommand(loadConfig());
      case 'user': {
        if (rest[0] !== 'create') break;
        const { values } = parseArgs({
          args: rest.slice(1),
          options: { username: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
        });
        return await userCreateCommand(loadConfig(), values);
      }
      case 'module':
        return await moduleCommand(rest, () => loadConfig());
      case undefined:
      case 'help':
      case '--help':
        console.log(usage);
        return command === undefined ? 1 : 0;
    }
    console.error(`Unknown command: ${argv.join(' ')}\n\n${usage}`);
    return 1;
  } catch (error) {
    console.error(isNxfError(error) ? `${error.code}: ${error.message}` : `Error: ${errorMessage(error)}`);
    return 1;
  }
}
