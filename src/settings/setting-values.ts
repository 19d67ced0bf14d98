/** A setting a manifest declares, for the module (`settings`) or for one of its jobs (`jobs.<id>.config`). */
export interface SettingDefinition {
  type: 'string' | 'number' | 'boolean' | 'select';
  label: string;
  description?: string;
  default?: string | number | boolean;
  required?: boolean;
  /** Choices of a `select`. */
  options?: Array<{ label: string; value: string | number }>;
  /** Bounds of a `number`. */
  min?: number;
  max?: number;
}

/** A setting's value as module code reads it. */
export type SettingValue = string | number | boolean;

/** Effective values: what was saved, else the manifest's default; undefined for an unset optional setting. */
export function effectiveSettings(
  definitions: Record<string, SettingDefinition>,
  stored: Record<string, unknown>,
): Record<string, SettingValue | undefined> {
  const values: Record<string, SettingValue | undefined> = {};
  for (const [key, definition] of Object.entries(definitions)) {
    const saved = stored[key];
    values[key] = isValueOf(definition, saved) ? saved : definition.default;
  }
  return values;
}

function isValueOf(definition: SettingDefinition, value: unknown): value is SettingValue {
  if (value === undefined || value === null) return false;
  if (definition.type === 'select') return (definition.options ?? []).some((option) => option.value === value);
  return typeof value === definition.type;
}

/**
 * Reads submitted form fields against the definitions: converts types, applies bounds and `required`.
 * Returns the typed values and, per field, what is wrong. An unchecked checkbox sends nothing: it means false.
 */
export function parseSettingsForm(
  definitions: Record<string, SettingDefinition>,
  form: Record<string, unknown>,
): { values: Record<string, SettingValue | null>; errors: Record<string, string> } {
  const values: Record<string, SettingValue | null> = {};
  const errors: Record<string, string> = {};
  for (const [key, definition] of Object.entries(definitions)) {
    const raw = typeof form[key] === 'string' ? (form[key] as string).trim() : form[key];
    const parsed = parseOne(definition, raw);
    if ('error' in parsed) errors[key] = parsed.error;
    else values[key] = parsed.value;
  }
  return { values, errors };
}

function parseOne(definition: SettingDefinition, raw: unknown): { value: SettingValue | null } | { error: string } {
  if (definition.type === 'boolean') {
    if (raw === undefined || raw === '' || raw === false) return { value: false };
    if (raw === true || ['true', 'on', '1'].includes(String(raw))) return { value: true };
    return { error: 'Must be on or off.' };
  }
  if (raw === undefined || raw === '' || raw === null) {
    return definition.required ? { error: 'This setting is required.' } : { value: null };
  }
  switch (definition.type) {
    case 'number': {
      const number = typeof raw === 'number' ? raw : Number(String(raw).replace(',', '.'));
      if (!Number.isFinite(number)) return { error: 'Enter a number.' };
      if (definition.min !== undefined && number < definition.min) return { error: `At least ${definition.min}.` };
      if (definition.max !== undefined && number > definition.max) return { error: `At most ${definition.max}.` };
      return { value: number };
    }
    case 'select': {
      const option = (definition.options ?? []).find((o) => String(o.value) === String(raw));
      return option ? { value: option.value } : { error: 'Choose one of the options.' };
    }
    default: {
      const text = String(raw);
      return text.length > 2000 ? { error: 'At most 2000 characters.' } : { value: text };
    }
  }
}
