import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { consoleRouteOf, CONSOLE_ROUTES, type ConsoleService } from './console-routes.util';

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Forwards every API path the console calls to the service that owns it (CONSOLE_ROUTES), as
 * is: method, path and query, headers (Authorization included: each service checks the key
 * itself), body, and the answer streamed back (the live feed is a long response). Call before
 * the app is initialised; the app must not parse bodies (`bodyParser: false`).
 */
export async function proxyConsoleApi(app: NestFastifyApplication, upstreams: Record<ConsoleService, string>): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies go through as bytes, whatever their type.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
  const handler = (request: FastifyRequest, reply: FastifyReply) => {
    const service = consoleRouteOf(request.url)!;
    const target = new URL(request.url, upstreams[service]);
    reply.hijack();
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(
      target,
      { method: request.method, headers: { ...forwardable(request.headers), 'x-forwarded-host': request.headers.host ?? '' } },
      (answer) => {
        reply.raw.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        answer.pipe(reply.raw);
      },
    );
    upstream.on('error', (error) => {
      if (reply.raw.headersSent) return void reply.raw.destroy();
      reply.raw.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
      reply.raw.end(
        JSON.stringify({
          error: 'bad_gateway',
          message: `the ${service} service did not answer at ${upstreams[service]}: ${error.message}`,
        }),
      );
    });
    // The browser went away (a closed tab ends the live feed): stop asking upstream.
    reply.raw.on('close', () => upstream.destroy());
    const body = request.body as Buffer | undefined;
    upstream.end(Buffer.isBuffer(body) && body.length ? body : undefined);
  };
  for (const { prefix } of CONSOLE_ROUTES) {
    fastify.all(prefix, handler);
    fastify.all(`${prefix}/*`, handler);
  }
}
