import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the search starts: above the well-known and most registered servers' ports. */
const LOWEST = 20_000;

/** The kernel's range for the local ports of outgoing connections (Linux); Linux's default elsewhere. */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // Not Linux, or not readable: assume the default.
  }
  return [32_768, 60_999];
}

/** Ports this process handed out already, so two of its servers never get the same one. */
const handedOut = new Set<number>();

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPick(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A TCP port nobody listens on right now, for a server a test starts itself (a service, a
 * PostgreSQL server), below the kernel's range for outgoing connections' local ports. A port the
 * kernel picks (listening on port 0) comes from that range, and in the seconds before the server
 * binds it, or while a killed server restarts on it, any outgoing connection on the machine (a
 * Kafka or PostgreSQL client) may be given it: CI saw a service fail to start with EADDRINUSE that
 * way. Below the range only a listener that asks for the very port can take it.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralPortRange();
  const highest = Math.min(low, 32_768) - 1;
  if (highest - LOWEST >= 1000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = LOWEST + randomInt(highest - LOWEST + 1);
      if (handedOut.has(port)) continue;
      if (await listenable(port)) {
        handedOut.add(port);
        return port;
      }
    }
  }
  // A range configured so low that nothing lies below it: the kernel's pick, as before.
  return kernelPick();
}
