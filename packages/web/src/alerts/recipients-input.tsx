/**
 * The recipients of a job's alerts: a tags input that offers the known
 * users, teams and channels as you type, colours each recipient by kind and
 * marks the ones that are not valid. `recipientsRule` says why in the form.
 */
import { useQuery } from '@tanstack/react-query';
import { Select, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useMemo, useState } from 'react';
import { api } from '../api/endpoints';
import { RecipientTag } from './alert-tags';
import { normaliseRecipients, suggestRecipients } from './recipients';

/** Lists that only feed suggestions: one failing (a viewer, an old server) just offers less. */
const QUIET = { retry: false, staleTime: 60_000 } as const;

function useKnownRecipients() {
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list(), ...QUIET });
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => api.teams.list(), ...QUIET });
  const channels = useQuery({ queryKey: ['alert-channels'], queryFn: api.channels.list, ...QUIET });
  return useMemo(
    () => ({
      users: users.data?.items ?? [],
      teams: teams.data?.items ?? [],
      channels: channels.data?.items ?? [],
    }),
    [users.data, teams.data, channels.data],
  );
}

interface Props {
  value?: string[];
  onChange?: (value: string[]) => void;
  id?: string;
  placeholder?: string;
  'data-testid'?: string;
}

export function RecipientsInput({ value, onChange, id, placeholder, ...rest }: Props) {
  const [typed, setTyped] = useState('');
  const known = useKnownRecipients();
  const options = useMemo(
    () =>
      suggestRecipients(typed, known).map((s) => ({
        value: s.value,
        label: (
          <span>
            {s.value}
            {s.hint && (
              <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                {s.hint}
              </Typography.Text>
            )}
          </span>
        ),
      })),
    [typed, known],
  );
  return (
    <Select
      id={id}
      mode="tags"
      value={value ?? []}
      onChange={(next: string[]) => {
        setTyped('');
        onChange?.(normaliseRecipients(next).recipients);
      }}
      onSearch={setTyped}
      searchValue={typed}
      options={options}
      filterOption={false}
      tokenSeparators={[',', ' ', ';']}
      placeholder={placeholder}
      tagRender={({ value: v, closable, onClose }) => (
        <RecipientTag value={String(v)} closable={closable} onClose={onClose} />
      )}
      style={{ width: '100%' }}
      {...rest}
    />
  );
}

/** An antd Form rule: every recipient valid; `required` for the escalation list. */
export function recipientsRule(t: TFunction, required = false) {
  return {
    validator: async (_rule: unknown, values: string[] | undefined) => {
      const list = values ?? [];
      if (required && list.length === 0) throw new Error(t('editor.escalationNeedsRecipients'));
      const { invalid } = normaliseRecipients(list);
      if (invalid) throw new Error(t(`editor.recipientProblem.${invalid.problem}`, { value: invalid.text }));
    },
  };
}
