// Placeholder until the channels land: the interface the alert worker relies on.
export type ChannelType = 'email' | 'sms' | 'dingtalk' | 'feishu' | 'wecom' | 'slack' | 'webhook';
export interface AlertContent {
  kind:
    | 'failed'
    | 'notify_failed'
    | 'timeout'
    | 'missed'
    | 'skipped'
    | 'lost'
    | 'recovered'
    | 'digest'
    | 'test';
  subject: string;
  text: string;
  html: string;
  markdown: string;
  link: string | null;
  facts: Record<string, unknown>;
}
export interface Channel {
  readonly type: ChannelType;
  send(content: AlertContent, recipient: string, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
export class ChannelConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
export function parseChannelSettings(
  _type: ChannelType,
  config: unknown,
  secret: unknown,
): { config: Record<string, unknown>; secret: Record<string, unknown> } {
  return {
    config: (config ?? {}) as Record<string, unknown>,
    secret: (secret ?? {}) as Record<string, unknown>,
  };
}
export function createChannel(
  type: ChannelType,
  _config: Record<string, unknown>,
  _secret: Record<string, unknown>,
  _options?: { timeoutMs?: number },
): Channel {
  return {
    type,
    send: async () => {
      throw new ChannelError(`channel type ${type} is not available yet`, false);
    },
    close: async () => undefined,
  };
}
