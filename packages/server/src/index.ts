/** The `jobcenter` package: embed the server, or use its building blocks. */
export { type Config, ConfigError, DEFAULTS, loadConfig } from './config.js';
export { signatureHeader } from './dispatcher/signing.js';
export { type CreateOptions, createJobCenter, type JobCenter, VERSION } from './main.js';
