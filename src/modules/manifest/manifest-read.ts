import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { NxfError } from '../../errors.js';
import { isSchedulableCron } from '../../jobs/cron-schedule.js';
import { manifestSchema } from './manifest-schema.js';
import type { ModuleManifest } from './manifest-types.js';

/** One problem in a manifest: the field, as a JSON path like `ui.sidebar.children[0].path`, and what is wrong. */
export interface ManifestProblem {
  field: string;
  message: string;
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addFormat('semver', { type: 'string', validate: (value: string) => semver.valid(value) !== null });
ajv.addFormat('semver-range', { type: 'string', validate: (value: string) => semver.validRange(value) !== null });
ajv.addFormat('cron', { type: 'string', validate: isSchedulableCron });
const validate = ajv.compile<ModuleManifest>(manifestSchema);

/**
 * Checks a parsed manifest against the v2 schema and the rules a schema cannot express.
 * @throws NxfError NXF_MANIFEST_INVALID (400) whose `details` lists every problem by field.
 */
export function validateManifest(candidate: unknown, source = 'manifest.json'): ModuleManifest {
  const problems = validate(candidate) ? crossFieldProblems(candidate) : (validate.errors ?? []).map(describe);
  if (problems.length > 0) {
    const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new NxfError('NXF_MANIFEST_INVALID', `${source} is not a valid module manifest: ${summary}`, {
      status: 400,
      details: problems,
    });
  }
  return candidate as ModuleManifest;
}

/**
 * Reads `<dir>/manifest.json` and validates it.
 * @throws NxfError NXF_MANIFEST_MISSING (no file), NXF_MANIFEST_JSON (malformed JSON), NXF_MANIFEST_INVALID.
 */
export async function readManifest(dir: string): Promise<ModuleManifest> {
  const file = path.join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new NxfError('NXF_MANIFEST_MISSING', `No manifest.json in ${dir}`, { status: 400 });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new NxfError('NXF_MANIFEST_JSON', `manifest.json is not valid JSON: ${(error as Error).message}`, {
      status: 400,
      details: [{ field: '(file)', message: (error as Error).message }],
    });
  }
  return validateManifest(parsed);
}

/** Rules across fields: settings defaults of the right type, select options, job config defaults. */
function crossFieldProblems(manifest: ModuleManifest): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const checkSettings = (prefix: string, settings: ModuleManifest['settings']) => {
    for (const [key, setting] of Object.entries(settings)) {
      const field = `${prefix}.${key}`;
      if (setting.type === 'select' && !setting.options)
        problems.push({ field: `${field}.options`, message: 'a select needs options' });
      if (setting.type !== 'select' && setting.options)
        problems.push({ field: `${field}.options`, message: 'only a select has options' });
      if (setting.default !== undefined && !defaultFits(setting)) {
        problems.push({ field: `${field}.default`, message: `must be a valid ${setting.type}` });
      }
    }
  };
  checkSettings('settings', manifest.settings);
  for (const [id, job] of Object.entries(manifest.jobs)) checkSettings(`jobs.${id}.config`, job.config ?? {});
  const seen = new Set<string>();
  manifest.routes.forEach((route, index) => {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) problems.push({ field: `routes[${index}]`, message: `${key} is declared twice` });
    seen.add(key);
  });
  const widgetIds = new Set<string>();
  (manifest.ui.widgets ?? []).forEach((widget, index) => {
    if (widgetIds.has(widget.id))
      problems.push({ field: `ui.widgets[${index}].id`, message: `"${widget.id}" is used twice` });
    widgetIds.add(widget.id);
  });
  if (Object.hasOwn(manifest.dependencies, manifest.name)) {
    problems.push({ field: `dependencies.${manifest.name}`, message: 'a module cannot depend on itself' });
  }
  return problems;
}

function defaultFits(setting: ModuleManifest['settings'][string]): boolean {
  const value = setting.default;
  switch (setting.type) {
    case 'number':
      return (
        typeof value === 'number' &&
        (setting.min === undefined || value >= setting.min) &&
        (setting.max === undefined || value <= setting.max)
      );
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'select':
      return (setting.options ?? []).some((option) => option.value === value);
  }
}

/** Turns an ajv error into "field: what is wrong" in words a module author understands. */
function describe(error: ErrorObject): ManifestProblem {
  const base = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part), '');
  const params = error.params as Record<string, unknown>;
  const at = (child: string) => (base ? `${base}.${child}` : child);
  switch (error.keyword) {
    case 'required':
      return { field: at(String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { field: at(String(params.additionalProperty)), message: 'is not a known field' };
    case 'propertyNames':
      return { field: at(String(params.propertyName)), message: 'is not an allowed name' };
    case 'format':
      return {
        field: base || '(root)',
        message: formatMessages[String(params.format)] ?? `must be a ${params.format}`,
      };
    case 'pattern':
      return { field: base || '(root)', message: patternMessage(base) };
    case 'enum':
      return {
        field: base || '(root)',
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { field: base || '(root)', message: error.message ?? 'is not valid' };
  }
}

const formatMessages: Record<string, string> = {
  semver: 'must be a semantic version such as 1.2.3',
  'semver-range': 'must be a semver range such as ^5.0.0',
  cron: 'must be a cron expression such as */15 * * * * (or 6 fields with seconds): numbers, *, lists, ranges and steps; day of week 0–6; not both a day of month and a day of week',
};

function patternMessage(field: string): string {
  if (field === 'name' || field.endsWith('.id'))
    return 'must be kebab-case: lower-case letters and digits joined by dashes';
  if (field === 'tablePrefix') return 'must be a short lower-case word followed by an underscore, e.g. cm_';
  if (field === 'entry' || field === 'migrations' || field.endsWith('views') || field.endsWith('handler')) {
    return 'must be a relative path starting with ./';
  }
  if (field.startsWith('ui.routes')) return 'must be a path such as /consumption or /consumption/*';
  if (field.endsWith('permission')) return 'must look like area:action';
  return 'has a form that is not allowed';
}
