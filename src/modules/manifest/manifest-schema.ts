import { capabilities } from './manifest-types.js';

/** kebab-case: lower-case words of letters and digits joined by single dashes. */
export const kebabCasePattern = '^[a-z][a-z0-9]*(-[a-z0-9]+)*$';

const settingDefinition = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'label'],
  properties: {
    type: { enum: ['string', 'number', 'boolean', 'select'] },
    label: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: 'string', maxLength: 500 },
    default: { type: ['string', 'number', 'boolean'] },
    required: { type: 'boolean' },
    options: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['label', 'value'],
        properties: { label: { type: 'string', minLength: 1 }, value: { type: ['string', 'number'] } },
      },
    },
    min: { type: 'number' },
    max: { type: 'number' },
  },
} as const;

const absolutePath = { type: 'string', pattern: '^/[A-Za-z0-9._~:/*-]*$', maxLength: 200 } as const;
const relativePath = { type: 'string', pattern: '^\\./[A-Za-z0-9._/-]+$', maxLength: 200 } as const;

/** JSON Schema of manifest v2 (draft 2020-12). Unknown keys are refused everywhere. */
export const manifestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://nxforge.dev/schemas/module-manifest-v2.json',
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'version',
    'displayName',
    'description',
    'author',
    'entry',
    'routes',
    'jobs',
    'migrations',
    'tablePrefix',
    'ui',
    'dependencies',
    'permissions',
    'settings',
  ],
  properties: {
    name: { type: 'string', pattern: kebabCasePattern, minLength: 2, maxLength: 50 },
    version: { type: 'string', format: 'semver' },
    displayName: { type: 'string', minLength: 1, maxLength: 80 },
    description: { type: 'string', maxLength: 1000 },
    author: { type: 'string', minLength: 1, maxLength: 200 },
    license: { type: 'string', maxLength: 100 },
    entry: relativePath,
    routes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['method', 'path'],
        properties: {
          method: { enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] },
          path: absolutePath,
          handler: { type: 'string', maxLength: 200 },
          permission: { type: 'string', pattern: '^[a-z*][a-z0-9*-]*:[a-z*][a-z0-9*-]*$' },
          description: { type: 'string', maxLength: 500 },
        },
      },
    },
    jobs: {
      type: 'object',
      propertyNames: { pattern: kebabCasePattern },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'description', 'handler', 'schedule'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          description: { type: 'string', maxLength: 500 },
          handler: relativePath,
          schedule: { anyOf: [{ type: 'string', format: 'cron' }, { type: 'null' }] },
          timeout: { type: 'integer', minimum: 100, maximum: 86_400_000 },
          retries: { type: 'integer', minimum: 0, maximum: 10 },
          config: { type: 'object', additionalProperties: settingDefinition },
        },
      },
    },
    migrations: relativePath,
    tablePrefix: { type: 'string', pattern: '^[a-z][a-z0-9]{0,9}_$' },
    adopts: {
      type: 'array',
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z_][a-z0-9_]{0,62}$' },
    },
    ui: {
      type: 'object',
      additionalProperties: false,
      required: ['views', 'routes', 'sidebar'],
      properties: {
        views: relativePath,
        routes: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['path'],
            properties: {
              path: { type: 'string', pattern: '^(/[a-z0-9][a-z0-9._-]*)+(/\\*)?$', maxLength: 200 },
              description: { type: 'string', maxLength: 500 },
            },
          },
        },
        sidebar: {
          type: 'object',
          additionalProperties: false,
          required: ['label', 'icon', 'children'],
          properties: {
            label: { type: 'string', minLength: 1, maxLength: 60 },
            icon: { type: 'string', minLength: 1, maxLength: 40 },
            order: { type: 'integer', minimum: 1, maximum: 999 },
            children: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['label', 'path'],
                properties: {
                  label: { type: 'string', minLength: 1, maxLength: 60 },
                  path: absolutePath,
                  icon: { type: 'string', minLength: 1, maxLength: 40 },
                  kiosk: { type: 'boolean' },
                  kioskFilters: {
                    type: 'array',
                    items: { type: 'string', enum: ['rack', 'customer'] },
                    uniqueItems: true,
                  },
                },
              },
            },
          },
        },
        widgets: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'title', 'view'],
            properties: {
              id: { type: 'string', pattern: kebabCasePattern },
              title: { type: 'string', minLength: 1, maxLength: 80 },
              view: { type: 'string', pattern: '^[A-Za-z0-9_/-]+$' },
              refreshSeconds: { type: 'integer', minimum: 5, maximum: 86_400 },
            },
          },
        },
      },
    },
    dependencies: {
      type: 'object',
      required: ['@nxforge/core'],
      properties: { '@nxforge/core': { type: 'string', format: 'semver-range' } },
      propertyNames: { anyOf: [{ const: '@nxforge/core' }, { pattern: kebabCasePattern }] },
      additionalProperties: { type: 'string', format: 'semver-range' },
    },
    permissions: { type: 'array', uniqueItems: true, items: { enum: [...capabilities] } },
    settings: {
      type: 'object',
      propertyNames: { pattern: '^[a-zA-Z][a-zA-Z0-9_]*$' },
      additionalProperties: settingDefinition,
    },
  },
} as const;
