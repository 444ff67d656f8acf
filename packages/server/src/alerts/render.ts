// Placeholder until the templates land: the rendering the alert worker relies on.
import type { AlertContent } from './channel.js';

export interface AlertInput {
  kind: AlertContent['kind'];
  job: string;
  team: string | null;
  owner: string | null;
  scheduledAt: number | null;
  status: string | null;
  durationMs: number | null;
  message: string | null;
  member: string | null;
  runId: string | null;
  link: string | null;
  count?: number;
  since?: number;
  timezone?: string;
}

export function renderAlert(
  input: AlertInput,
  _language: 'en' | 'zh-CN',
  _templatesDir?: string,
): AlertContent {
  const subject = `[JobCenter] ${input.job}: ${input.kind}`;
  const text = `${subject}\n${input.message ?? ''}\n${input.link ?? ''}`;
  return {
    kind: input.kind,
    subject,
    text,
    html: `<p>${text}</p>`,
    markdown: text,
    link: input.link,
    facts: { ...input },
  };
}
