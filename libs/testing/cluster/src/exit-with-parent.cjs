// Preloaded (`node -r`) into every process a Cluster starts: once the process that started it is
// gone (a Jest worker killed on a timeout, a bench interrupted with ^C twice), it ends itself
// instead of staying in the consumer groups of a namespace nobody watches any more. Orphans are
// re-parented, so a changed parent pid is the signal; the check costs nothing measurable.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 500).unref();
