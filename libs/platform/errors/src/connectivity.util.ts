// Errors that mean "the database (or another shared dependency) cannot be reached right now",
// from pg, TypeORM and Node's sockets: errno codes, PostgreSQL SQLSTATE classes 08 (connection
// exception) and 57P0x (operator intervention: shutdown, crash, starting up), and the messages pg
// uses when a connection dies.
const ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const SQLSTATE = /^(08\d{3}|57P0[1-3])$/;
const MESSAGES = new RegExp(
  [
    'connection terminated',
    'terminating connection',
    'database system is (starting up|shutting down|in recovery mode)',
    'connection error',
    'Connection is not established',
  ].join('|'),
  'i',
);

/**
 * Whether an error is a lost connection to a shared dependency rather than a problem with the
 * work itself. Connector failures (which carry their own failure class and circuit) are not.
 */
export function isConnectivityError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as {
    code?: unknown;
    errno?: unknown;
    message?: unknown;
    failureClass?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (e.failureClass !== undefined) return false;
  if (typeof e.code === 'string' && (ERRNO.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isConnectivityError(inner, depth + 1))) return true;
  return isConnectivityError(e.driverError, depth + 1) || isConnectivityError(e.cause, depth + 1);
}
