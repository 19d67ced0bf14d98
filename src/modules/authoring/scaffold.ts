import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NxfError } from '../../errors.js';
import { projectRoot } from '../../paths.js';
import { coreVersion } from '../../version.js';
import { kebabCasePattern } from '../manifest/manifest-schema.js';

/** What `nxforge module new` writes: a working module with a page, an API route, a job, a migration and a test. */
export async function scaffoldModule(name: string, parentDir: string): Promise<string> {
  if (!new RegExp(kebabCasePattern).test(name) || name.length > 50) {
    throw new NxfError('NXF_USAGE', `"${name}" is not a module name: use kebab-case, e.g. rack-sensors.`);
  }
  const dir = path.resolve(parentDir, name);
  if (existsSync(dir)) throw new NxfError('NXF_USAGE', `${dir} already exists.`);
  const prefix = `${name
    .split('-')
    .map((word) => word[0])
    .join('')
    .slice(0, 6)}x_`;
  const title = name
    .split('-')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
  for (const [file, content] of Object.entries(moduleFiles(name, title, prefix))) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

function moduleFiles(name: string, title: string, prefix: string): Record<string, string> {
  const manifest = {
    name,
    version: '0.1.0',
    displayName: title,
    description: `${title}: describe what it does for the rack.`,
    author: 'Your team',
    license: 'MIT',
    entry: './dist/index.js',
    routes: [{ method: 'GET', path: '/notes', description: 'The notes, as JSON' }],
    jobs: {
      'count-notes': {
        name: 'Count notes',
        description: 'Logs how many notes there are',
        handler: './jobs/count-notes',
        schedule: null,
        timeout: 60000,
        retries: 0,
      },
    },
    migrations: './migrations',
    tablePrefix: prefix,
    ui: {
      views: './views',
      routes: [{ path: `/${name}/*` }],
      sidebar: {
        label: title,
        icon: 'server',
        order: 100,
        children: [{ label: 'Notes', path: `/${name}`, icon: 'report' }],
      },
    },
    dependencies: { '@nxforge/core': `^${coreVersion.split('.')[0]}.0.0` },
    permissions: ['database:read', 'database:write'],
    settings: {
      greeting: {
        type: 'string',
        label: 'Greeting',
        description: 'Shown above the notes',
        default: 'Hello',
        required: true,
      },
    },
  };
  // Types come from this NxForge installation, so the module builds without an npm install of its own.
  const tsconfig = {
    compilerOptions: {
      target: 'ES2023',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
      typeRoots: [path.join(projectRoot, 'node_modules', '@types')],
      types: ['node'],
      paths: {
        'nxforge/module': [path.join(projectRoot, 'dist', 'src', 'module-api.d.ts')],
        '@koa/router': [path.join(projectRoot, 'node_modules', '@koa', 'router')],
        koa: [path.join(projectRoot, 'node_modules', '@types', 'koa')],
        sequelize: [path.join(projectRoot, 'node_modules', 'sequelize')],
      },
    },
    include: ['src'],
  };
  return {
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    '.gitignore': 'dist/\n*.zip\n',
    // Node reads dist/*.js as ES modules because of this file; it is packed with the module.
    'package.json': `${JSON.stringify({ name, version: '0.1.0', private: true, type: 'module' }, null, 2)}\n`,

    'src/index.ts': `import type { ModuleContext } from 'nxforge/module';
import { greetingLine } from './greeting.js';

interface Note {
  id: number;
  text: string;
}

/** Sets up ${name}: a page listing notes, a form adding one, and the notes as JSON. */
export default async function setup(ctx: ModuleContext) {
  const notes = async () => (await ctx.db.query('SELECT id, text FROM ${prefix}note ORDER BY id', { type: 'SELECT' })) as Note[];

  ctx.ui.get('/${name}', async (request) => {
    const user = request.state.user?.username ?? 'you';
    request.body = ctx.render('home', {
      title: '${title}',
      greeting: greetingLine(String(ctx.settings.greeting ?? 'Hello'), user),
      notes: await notes(),
    });
  });

  ctx.ui.post('/${name}/notes', async (request) => {
    const text = String((request.request as { body?: Record<string, unknown> }).body?.text ?? '').trim();
    if (text !== '') await ctx.db.query('INSERT INTO ${prefix}note (text) VALUES ($1)', { bind: [text] });
    request.redirect('/${name}');
  });

  ctx.api.get('/notes', async (request) => {
    request.body = { notes: await notes() };
  });

  ctx.logger.info('${name} is ready');
}
`,
    'src/greeting.ts': `/** The line above the notes: the configured greeting, addressed to the user. */
export function greetingLine(greeting: string, username: string): string {
  return \`\${greeting.trim() || 'Hello'}, \${username}.\`;
}
`,
    'src/jobs/count-notes.ts': `import type { JobContext, JobResult } from 'nxforge/module';

/** Counts the notes; runs when started from the Jobs page (it has no schedule). */
export async function handler(context: JobContext): Promise<JobResult> {
  const [row] = (await context.db.query('SELECT count(*)::int AS count FROM ${prefix}note', { type: 'SELECT' })) as Array<{ count: number }>;
  context.logger.info(\`\${row?.count ?? 0} notes\`);
  return { success: true, data: { count: row?.count ?? 0 } };
}
`,
    'views/home.eta': `<h1><%= it.title %></h1>
<p><%= it.greeting %></p>
<%~ include('@core/partials/table', { columns: [{ key: 'id', label: 'Id', numeric: true }, { key: 'text', label: 'Note' }], rows: it.notes, rowHeader: 'text', empty: 'No notes yet.' }) %>
<form method="post" action="/${name}/notes" class="form-row">
  <%~ include('@core/partials/csrf', it) %>
  <%~ include('@core/partials/field', { name: 'text', label: 'New note', maxlength: 500 }) %>
  <button type="submit" class="primary">Add</button>
</form>
`,
    [`migrations/001_create_${prefix}note.sql`]: `-- Up migration
CREATE TABLE ${prefix}note (
  id         serial PRIMARY KEY,
  text       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down migration
DROP TABLE ${prefix}note;
`,
    'test/greeting.test.mjs': `// Run with: node --test test/ (after nxforge module pack, which compiles src/ into dist/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { greetingLine } from '../dist/greeting.js';

test('greets the user with the configured greeting', () => {
  assert.equal(greetingLine('Welcome', 'ada'), 'Welcome, ada.');
});

test('falls back to Hello for an empty greeting', () => {
  assert.equal(greetingLine('  ', 'ada'), 'Hello, ada.');
});
`,
    'README.md': `# ${title}

An NxForge module. Build, check and package it with the NxForge command line:

\`\`\`sh
npx nxforge module pack .          # compiles src/ to dist/, checks the module, writes ${name}-0.1.0.zip
node --test test/                  # its tests
npx nxforge module install ${name}-0.1.0.zip   # or upload the ZIP on Administration → Modules
\`\`\`

See NxForge's docs/modules.md for the manifest, the context API, views and migrations.
`,
  };
}
