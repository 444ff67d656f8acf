// Preloaded (--import) into `jobcenter serve` when BENCH_PROFILE=<file>:
// samples the CPU from start-up for BENCH_PROFILE_MS (default 15 s) and
// writes a .cpuprofile, even if the process never exits cleanly. Summarise
// it with `node bench/lib/profile-summary.mjs <file>`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_PROFILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  const t = setTimeout(
    () => {
      session.post('Profiler.stop', (err, res) => {
        if (!err) writeFileSync(file, JSON.stringify(res.profile));
        session.disconnect();
      });
    },
    Number(process.env.BENCH_PROFILE_MS ?? 15_000),
  );
  t.unref();
}
