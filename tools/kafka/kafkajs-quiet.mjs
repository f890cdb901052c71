// kafkajs 2.2.4 calls setTimeout() with a negative delay in its request queue
// (src/network/requestQueue/index.js, scheduleCheckPendingRequests) whenever the
// connection is not throttled; Node >= 23 prints a TimeoutNegativeWarning for that.
// It is harmless (Node treats the delay as 1 ms). Importing this module hides only
// that warning and leaves every other warning as it was.
const listeners = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning && warning.name === 'TimeoutNegativeWarning') return;
  if (listeners.length) for (const l of listeners) l(warning);
  else console.warn(warning);
});
