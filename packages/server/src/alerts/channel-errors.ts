/**
 * The two errors of alert channels, kept apart from `channel.ts` so that each
 * channel module can throw them without importing the dispatcher that imports it.
 */

/** A send that failed; `retryable` says whether sending the same message again later can help. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * A channel setting that is missing or invalid. `field` is its path
 * (`config.port`, `secret.webhook`); the message starts with it:
 * `config.port: must be an integer from 1 to 65535`.
 */
export class ChannelConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ChannelConfigError';
  }
}
