import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WebhookSources } from './webhook-sources.util';

/** Route config flag (`@RouteConfig({ [RAW_BODY_ROUTE]: true })`): the handler gets the body as received. */
export const RAW_BODY_ROUTE = 'batonRawBody';

type Done = (error: Error | null, body?: unknown) => void;

/**
 * Gives routes flagged with RAW_BODY_ROUTE their body as the exact bytes received, whatever the
 * Content-Type, so signatures can be checked over them and a wrong media type answered with a
 * clear 415 by the handler. Every other route parses as before: the default JSON parser with
 * Fastify's prototype-poisoning checks, and 415 for a media type nobody parses.
 *
 * Installed here rather than with `rawBody: true` at bootstrap, which would keep the bytes of
 * every request yet still reject non-JSON bodies before the webhook handler could explain why.
 * Fastify parsers are per content type, not per route, hence the route flag.
 */
@Injectable()
export class WebhookBodyParserService implements OnModuleInit {
  private readonly logger = new Logger(WebhookBodyParserService.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly sources: WebhookSources,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') {
      this.logger.warn('not running on Fastify: webhook routes will not receive raw bodies');
      return;
    }
    const fastify = adapter.getInstance<FastifyInstance>();
    const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    const bodyLimit = fastify.initialConfig.bodyLimit ?? 1024 * 1024;
    const json = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error') as unknown as (
      request: FastifyRequest,
      body: Buffer,
      done: Done,
    ) => void;
    const tooLarge = this.sources.list().filter((s) => s.maxBodyBytes > bodyLimit);
    if (tooLarge.length > 0) {
      throw new Error(
        `webhook sources ${tooLarge.map((s) => `${s.name} (maxBodyBytes ${s.maxBodyBytes})`).join(', ')} allow more than the HTTP ` +
          `server's body limit of ${bodyLimit} bytes`,
      );
    }

    if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body: Buffer, done) => {
      // Kept like Nest's `rawBody: true` does, so turning that option on later changes nothing.
      (request as { rawBody?: Buffer }).rawBody = body;
      if (isRawBodyRoute(request)) done(null, body);
      else json(request, body, done);
    });
    fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body: Buffer, done) => {
      if (isRawBodyRoute(request)) done(null, body);
      // What Fastify answers when no parser matches: 404 for an unknown route, else 415.
      else if (request.is404) done(null, undefined);
      else done(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }));
    });
  }
}

export function isRawBodyRoute(request: FastifyRequest): boolean {
  return (request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[RAW_BODY_ROUTE] === true;
}
