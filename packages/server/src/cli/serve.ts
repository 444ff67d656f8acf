/** `jobcenter serve`: start the server and stop it cleanly on SIGTERM/SIGINT. */
import { type Config, ConfigError, loadConfig } from '../config.js';
import { createJobCenter } from '../main.js';
import { SchemaTooNewError } from '../store/migrate.js';

export interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  publicUrl?: string;
  config?: string;
  logLevel?: string;
}

export async function serve(flags: ServeFlags): Promise<void> {
  let config: Config;
  try {
    config = loadConfig({
      env: process.env,
      file: flags.config,
      flags: {
        host: flags.host,
        port: flags.port,
        dataDir: flags.dataDir,
        databaseUrl: flags.databaseUrl,
        publicUrl: flags.publicUrl,
        logLevel: flags.logLevel,
      },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`jobcenter: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let center: Awaited<ReturnType<typeof createJobCenter>>;
  try {
    center = await createJobCenter(config);
  } catch (err) {
    if (err instanceof SchemaTooNewError) {
      process.stderr.write(`jobcenter: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) {
      center.log.warn({ signal }, 'second signal: exiting at once');
      process.exit(1);
    }
    center.log.info({ signal }, 'stopping');
    center.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        center.log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    const url = await center.start();
    process.stdout.write(`JobCenter listening on ${url} (API ${url}/api/v1, docs ${url}/api/docs)\n`);
  } catch (err) {
    center.log.error({ err }, 'start failed');
    await center.stop().catch(() => undefined);
    process.exit(1);
  }
}
