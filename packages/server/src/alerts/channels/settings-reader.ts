/**
 * Reads one side of a channel's settings (`config` or `secret`) from what an
 * admin sent, naming the field in every error (`config.port: …`) and refusing
 * names it does not know, so that a typo never silently falls back to a default.
 */
import { ChannelConfigError } from '../channel-errors.js';

/** An HTTP header name: RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class SettingsReader {
  private readonly values: Record<string, unknown>;
  private readonly seen = new Set<string>();

  /** `value` may be null or undefined (no settings on this side). */
  constructor(
    readonly side: 'config' | 'secret',
    value: unknown,
  ) {
    if (value === undefined || value === null) this.values = {};
    else if (typeof value === 'object' && !Array.isArray(value))
      this.values = value as Record<string, unknown>;
    else throw new ChannelConfigError(side, 'must be an object');
  }

  field(name: string): string {
    return `${this.side}.${name}`;
  }

  fail(name: string, message: string): never {
    throw new ChannelConfigError(this.field(name), message);
  }

  private take(name: string): unknown {
    this.seen.add(name);
    const value = this.values[name];
    return value === null ? undefined : value;
  }

  /** A non-empty string (trimmed); `undefined` when absent and optional. */
  string(name: string, options: { required: true; trim?: boolean }): string;
  string(name: string, options: { default: string; trim?: boolean }): string;
  string(name: string, options?: { required?: false; default?: string; trim?: boolean }): string | undefined;
  string(
    name: string,
    options: { required?: boolean; default?: string; trim?: boolean } = {},
  ): string | undefined {
    const value = this.take(name);
    if (value === undefined || value === '') {
      if (options.required) this.fail(name, 'is required');
      return options.default;
    }
    if (typeof value !== 'string') this.fail(name, 'must be a string');
    const result = options.trim === false ? value : value.trim();
    if (result === '') {
      if (options.required) this.fail(name, 'is required');
      return options.default;
    }
    return result;
  }

  integer(name: string, options: { default: number; min: number; max: number }): number {
    const value = this.take(name);
    if (value === undefined) return options.default;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < options.min || value > options.max) {
      this.fail(name, `must be an integer from ${options.min} to ${options.max}`);
    }
    return value;
  }

  boolean(name: string, defaultValue: boolean): boolean {
    const value = this.take(name);
    if (value === undefined) return defaultValue;
    if (typeof value !== 'boolean') this.fail(name, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T;
  oneOf<T extends string>(name: string, allowed: readonly T[], defaultValue?: undefined): T | undefined;
  oneOf<T extends string>(name: string, allowed: readonly T[], defaultValue?: T): T | undefined {
    const value = this.take(name);
    if (value === undefined || value === '') return defaultValue;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.fail(name, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}`);
    }
    return value as T;
  }

  /** An absolute http(s) URL. */
  url(name: string, options: { required: true }): string;
  url(name: string, options?: { required?: false }): string | undefined;
  url(name: string, options: { required?: boolean } = {}): string | undefined {
    const value = options.required ? this.string(name, { required: true }) : this.string(name);
    if (value === undefined) return undefined;
    checkHttpUrl(value, () => this.field(name));
    return value;
  }

  /** Header names to values: token names, string values without line breaks. */
  headers(name: string): Record<string, string> {
    const value = this.take(name);
    if (value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value))
      this.fail(name, 'must be an object of header names to values');
    const headers: Record<string, string> = {};
    for (const [key, headerValue] of Object.entries(value as Record<string, unknown>)) {
      if (!HEADER_NAME.test(key)) this.fail(`${name}.${key}`, 'is not a valid header name');
      if (typeof headerValue !== 'string') this.fail(`${name}.${key}`, 'must be a string');
      if (/[\r\n\0]/.test(headerValue)) this.fail(`${name}.${key}`, 'must not contain line breaks');
      headers[key] = headerValue;
    }
    return headers;
  }

  /** Call after reading every known field: any other name is an error naming what is expected. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.values)) {
      if (!this.seen.has(key)) {
        const known = [...this.seen];
        this.fail(
          key,
          known.length ? `unknown setting; expected ${known.join(', ')}` : 'unknown setting; none expected',
        );
      }
    }
  }
}

/** Throws a ChannelConfigError unless `value` is an absolute http: or https: URL. */
export function checkHttpUrl(value: string, field: () => string): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ChannelConfigError(field(), 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ChannelConfigError(field(), 'must be an http: or https: URL');
  }
}

/** Drops undefined values, so that what is stored and shown has no empty keys. */
export function compact<T extends Record<string, unknown>>(record: T): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) result[key] = value;
  return result as T;
}
