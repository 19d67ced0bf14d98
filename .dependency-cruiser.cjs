/**
 * The direction of the core's dependencies, checked by test/architecture/dependencies.test.ts (and by
 * `npx depcruise src`). Layers from the top: a file may import files of its own layer and of the layers below it,
 * never one above, and no import (type or value) may close a cycle. docs/architecture.md explains the layers.
 */
const layers = [
  { name: 'cli', path: '^src/cli/' },
  // The web app, and the two files that wire every layer together for it.
  { name: 'web', path: '^src/(web/|nxforge\\.ts$|core-services\\.ts$)' },
  // The module runtime and the types module authors program against.
  { name: 'modules', path: '^src/(modules/|module-api\\.ts$)' },
  // The request as web and modules handle it (Koa types, the request state).
  { name: 'http', path: '^src/http/' },
  { name: 'jobs', path: '^src/jobs/' },
  { name: 'events', path: '^src/events/' },
  { name: 'services', path: '^src/services/' },
  // Who may ask: users, sessions and tokens, kiosk displays; and the record of what they did.
  { name: 'auth', path: '^src/(auth|audit|displays)/' },
  { name: 'db', path: '^src/db/' },
  // Configuration, errors, logging, keys, paths, typed settings: used by every layer.
  {
    name: 'base',
    path: '^src/(errors/|settings/|[^/]+\\.ts$)',
    pathNot: '^src/(nxforge|core-services|module-api)\\.ts$',
  },
];

const upward = layers.slice(1).map((layer, index) => ({
  name: `${layer.name}-not-upward`,
  comment: `${layer.name} may not import ${layers
    .slice(0, index + 1)
    .map((l) => l.name)
    .join(', ')}`,
  severity: 'error',
  from: { path: layer.path, ...(layer.pathNot ? { pathNot: layer.pathNot } : {}) },
  to: {
    path: layers
      .slice(0, index + 1)
      .map((l) => `(${l.path})`)
      .join('|'),
  },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'in-a-layer',
      comment: 'every file of src/ belongs to a layer',
      severity: 'error',
      from: { path: '^src/', pathNot: layers.map((l) => `(${l.path})`).join('|') },
      to: {},
    },
    ...upward,
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
  },
};
