// Preloaded (--import) into `jobcenter serve` by the bench: when the bench
// process dies and the IPC channel closes, stop this server cleanly too.
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
