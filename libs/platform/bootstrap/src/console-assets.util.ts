import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The console's page may run only its own scripts and talk only to this origin: no inline
 * script, no CDN, no framing. A key in sessionStorage is only as safe as the page that holds it.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Serves the console built into `dir` (dist/console): its page at `/` and `/console/`, its
 * hashed assets under `/console/assets/` (cached for good: a new build has new names). Call
 * before the app is initialised. Returns false, serving nothing, when the console is not built.
 */
export async function serveConsole(app: NestFastifyApplication, dir: string): Promise<boolean> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return false;
  const page = readFileSync(indexFile);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/console/assets/',
    decorateReply: false,
    index: false,
    immutable: true,
    maxAge: '365d',
    setHeaders: (res) => {
      void res.headers(SECURITY_HEADERS);
    },
  });
  for (const url of ['/', '/console/', '/console']) {
    fastify.get(url, (_request, reply) => {
      void reply.headers({ ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }).send(page);
    });
  }
  return true;
}
