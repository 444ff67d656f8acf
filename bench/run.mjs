#!/usr/bin/env node
/**
 * `npm run bench -- <name> [--jobs N] [--seconds S] [--db sqlite|postgres] [--save] [...]`
 *
 * Each benchmark prints readable tables, then as its LAST stdout line one
 * JSON object with its figures (--save also appends it to
 * bench/results/<name>.jsonl). Progress goes to stderr. See bench/README.md.
 */
import { cleanup, guard, log } from './lib/common.mjs';

const BENCHES = {
  precision: './precision.mjs',
  throughput: './throughput.mjs',
  scale: './scale.mjs',
  history: './history.mjs',
  'chaos-workers': './chaos-workers.mjs',
  console: './console.mjs',
};

const [name, ...argv] = process.argv.slice(2);
if (!name || !(name in BENCHES) || name === '--help') {
  process.stderr.write(
    `usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--jobs N] [--seconds S] [--db sqlite|postgres] [--save]\n` +
      '       add --help after the name for its own options; see bench/README.md\n',
  );
  process.exit(name ? 2 : 0);
}

const mod = await import(BENCHES[name]);
let flags;
try {
  flags = mod.flags(argv);
} catch (err) {
  process.stderr.write(`${name}: ${err.message}\n`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(`${mod.usage}\n`);
  process.exit(0);
}
guard(mod.hardTimeoutMs(flags));
let code = 0;
try {
  await mod.run(flags);
} catch (err) {
  log(`${name} failed: ${err?.stack ?? err}`);
  code = 1;
}
await cleanup();
process.exit(code);
