/** A JSON object editor: a monospaced text area, checked as you type. */
import { Input } from 'antd';
import type { TFunction } from 'i18next';
import { parseJsonObject } from './json-text';

export const MONO = { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', fontSize: 12 };

interface Props {
  value?: string;
  onChange?: (value: string) => void;
  rows?: number;
  id?: string;
  'data-testid'?: string;
  'aria-label'?: string;
}

export function JsonInput({ value, onChange, rows = 6, ...rest }: Props) {
  return (
    <Input.TextArea
      value={value}
      onChange={(e) => onChange?.(e.target.value)}
      rows={rows}
      spellCheck={false}
      style={MONO}
      {...rest}
    />
  );
}

/** An antd Form rule: the text must be a JSON object (empty means {}). */
export function jsonObjectRule(t: TFunction) {
  return {
    validator: async (_rule: unknown, text: string | undefined) => {
      const result = parseJsonObject(text ?? '');
      if (!result.ok) {
        throw new Error(
          result.reason === 'syntax' ? t('json.syntax', { message: result.message }) : t('json.notObject'),
        );
      }
    },
  };
}
