/** Reading a JSON object typed by a person: the value, or what is wrong with it. */
export type JsonObjectResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; reason: 'syntax' | 'not_object'; message: string };

export function parseJsonObject(text: string): JsonObjectResult {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'syntax', message: err instanceof Error ? err.message : String(err) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not_object', message: 'expected a JSON object: { … }' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
