/**
 * The channel form's values and their conversion to and from the API's
 * channel: known settings as fields, the rest as JSON, credentials only
 * ever sent (an empty credential on edit keeps the stored one).
 */
import type { AlertChannel, ChannelInput, ChannelType } from '../../api/types';
import { parseJsonObject } from '../../common/json-text';
import { CHANNEL_FIELDS, type ChannelField, DEFAULTABLE } from './channel-fields';

export interface HeaderRow {
  name: string;
  value: string;
}

export type FieldValue = string | number | boolean | HeaderRow[] | null | undefined;

export interface ChannelFormValues {
  name: string;
  type: ChannelType;
  enabled: boolean;
  isDefault: boolean;
  config: Record<string, FieldValue>;
  secret: Record<string, FieldValue>;
  /** Settings the form has no field for, as a JSON object. */
  moreConfigText: string;
  /** Credentials the form has no field for, as a JSON object; never filled from the server. */
  moreSecretText: string;
}

/** A value the form cannot turn into a channel; `field` is the form field to mark. */
export class ChannelFormError extends Error {
  constructor(
    readonly field: string[],
    message: string,
  ) {
    super(message);
  }
}

const fieldsOf = (type: ChannelType, where: 'config' | 'secret') =>
  CHANNEL_FIELDS[type].filter((f) => f.in === where);

function toRows(value: unknown): HeaderRow[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).map(([name, v]) => ({ name, value: String(v) }));
}

function formValueOf(field: ChannelField, value: unknown): FieldValue {
  if (field.input === 'headers') return toRows(value);
  if (value === undefined || value === null) return field.default ?? (field.input === 'number' ? null : '');
  if (field.input === 'number') return typeof value === 'number' ? value : Number(value);
  if (field.input === 'switch') return value === true;
  return String(value);
}

/** The form for a new channel of `type`, or for editing `channel`. */
export function toChannelFormValues(channel: AlertChannel | null, type: ChannelType): ChannelFormValues {
  const stored = channel?.type === type ? channel.config : {};
  const config: Record<string, FieldValue> = {};
  for (const field of fieldsOf(type, 'config')) config[field.key] = formValueOf(field, stored[field.key]);
  const secret: Record<string, FieldValue> = {};
  for (const field of fieldsOf(type, 'secret')) secret[field.key] = field.input === 'headers' ? [] : '';
  const known = new Set(Object.keys(config));
  const more = Object.fromEntries(Object.entries(stored).filter(([key]) => !known.has(key)));
  return {
    name: channel?.name ?? '',
    type,
    enabled: channel?.enabled ?? true,
    isDefault: channel?.default ?? false,
    config,
    secret,
    moreConfigText: Object.keys(more).length ? JSON.stringify(more, null, 2) : '',
    moreSecretText: '',
  };
}

function headersObject(rows: FieldValue): Record<string, string> | null {
  if (!Array.isArray(rows)) return null;
  const entries = rows
    .filter((r) => r?.name?.trim())
    .map((r) => [r.name.trim(), r.value ?? ''] as [string, string]);
  return entries.length ? Object.fromEntries(entries) : null;
}

/** A field's value as the API takes it; undefined leaves the setting out. */
function apiValueOf(field: ChannelField, value: FieldValue): unknown {
  switch (field.input) {
    case 'headers':
      return headersObject(value) ?? undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'switch':
      return value === true;
    case 'template':
      return typeof value === 'string' && value.trim() !== '' ? value : undefined;
    default: {
      const text = typeof value === 'string' ? value.trim() : '';
      return text === '' ? undefined : text;
    }
  }
}

function moreOf(text: string, field: string): Record<string, unknown> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) throw new ChannelFormError([field], parsed.message);
  return parsed.value;
}

/**
 * The body of `POST /alert-channels` or `PUT /alert-channels/{name}`. No
 * credential typed means no `secret` at all: on edit the stored ones stay.
 * Throws `ChannelFormError` on JSON that is not an object.
 */
export function toChannelInput(values: ChannelFormValues): ChannelInput {
  const { type } = values;
  const config: Record<string, unknown> = { ...moreOf(values.moreConfigText, 'moreConfigText') };
  for (const field of fieldsOf(type, 'config')) {
    const value = apiValueOf(field, values.config?.[field.key]);
    if (value === undefined) delete config[field.key];
    else config[field.key] = value;
  }
  const secret: Record<string, unknown> = { ...moreOf(values.moreSecretText, 'moreSecretText') };
  for (const field of fieldsOf(type, 'secret')) {
    const value = apiValueOf(field, values.secret?.[field.key]);
    if (value !== undefined) secret[field.key] = value;
  }
  return {
    name: values.name.trim(),
    type,
    config,
    ...(Object.keys(secret).length ? { secret } : {}),
    enabled: values.enabled,
    default: DEFAULTABLE.has(type) ? values.isDefault : false,
  };
}

/**
 * The form field an API error names: `config.port` → the port field,
 * `secret.webhook` → the webhook credential, a setting the form has no field
 * for → the JSON of the other settings; null for an error of the whole channel.
 */
export function channelFormFieldOf(type: ChannelType, apiField: string | undefined): string[] | null {
  if (!apiField) return null;
  const [head, key] = apiField.split('.');
  if (head === 'name' || head === 'type' || head === 'enabled') return [head];
  if (head === 'default') return ['isDefault'];
  if (head !== 'config' && head !== 'secret') return null;
  if (key === undefined) return [head === 'config' ? 'moreConfigText' : 'moreSecretText'];
  if (fieldsOf(type, head).some((f) => f.key === key)) return [head, key];
  return [head === 'config' ? 'moreConfigText' : 'moreSecretText'];
}
