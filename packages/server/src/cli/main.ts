#!/usr/bin/env node
/** The `jobcenter` command. */
import { Command } from 'commander';
import { VERSION } from '../main.js';
import { registerAccountCommands, UsageError } from './accounts.js';
import { serve } from './serve.js';

const program = new Command();
program
  .name('jobcenter')
  .description('JobCenter: scheduled HTTP jobs for fleets of services')
  .version(VERSION);

program
  .command('serve')
  .description('start the server (API, callbacks, scheduler) on SQLite or PostgreSQL')
  .option('--host <host>', 'address to listen on (env JOBCENTER_HOST)', undefined)
  .option('--port <port>', 'port to listen on (env JOBCENTER_PORT)', undefined)
  .option('--data-dir <dir>', 'folder for the SQLite database (env JOBCENTER_DATA_DIR)', undefined)
  .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); absent: SQLite', undefined)
  .option('--public-url <url>', 'base URL workers use for callbacks (env JOBCENTER_PUBLIC_URL)', undefined)
  .option('--config <file>', 'JSON configuration file (env JOBCENTER_CONFIG)', undefined)
  .option(
    '--log-level <level>',
    'fatal|error|warn|info|debug|trace|silent (env JOBCENTER_LOG_LEVEL)',
    undefined,
  )
  .action(serve);

registerAccountCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`jobcenter: ${err instanceof Error ? err.message : String(err)}\n`);
  // Bad input (names, passwords, configuration) exits 2, like bad flags; anything else 1.
  process.exit(err instanceof UsageError || (err instanceof Error && err.name === 'ConfigError') ? 2 : 1);
});
