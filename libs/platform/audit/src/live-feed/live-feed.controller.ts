import { CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { LiveEvent } from './live-event.types';
import { LiveFeed } from './live-feed.service';

const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events for the console: runs of the caller's organisation that moved, and what
 * was audited about them. Authenticated like every call, with the key in the Authorization
 * header: browsers read the stream with fetch(), never an EventSource with a key in the URL.
 */
@ApiTags('live')
@ApiBearerAuth()
@RequireRoles('viewer', 'reviewer', 'operator')
@Controller('live')
export class LiveFeedController {
  constructor(private readonly feed: LiveFeed) {}

  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      "A text/event-stream of changes the caller may see: `run` events (a run of the caller's organisation moved from one state " +
      'to another) and `audit` events (an audited act: a review reassigned, a dead letter re-driven...). Events carry ids and ' +
      'kinds only; read the details through the API. A `ready` event comes first.',
  })
  @ApiResponse({ status: 200, description: 'The stream; a comment line every 15 s keeps it open.' })
  async events(@CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const raw = reply.raw;
    let open = true;
    const write = (text: string) => {
      if (open && !raw.destroyed) raw.write(text);
    };
    const end = () => {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      raw.end();
    };
    // Subscribing may fail (the database is down): then Nest still answers with the error.
    const unsubscribe = await this.feed.subscribe({ principal, send: (event) => write(frame(event)), end });
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies (nginx) must pass events on as they come, not buffer them.
      'x-accel-buffering': 'no',
    });
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    // The response closes when the client goes away (a closed tab) or the server ends it.
    raw.on('close', () => {
      unsubscribe();
      end();
    });
    write(
      `retry: 2000\nevent: ready\ndata: ` +
        `${JSON.stringify({ principal: { id: principal.id, orgId: principal.orgId, roles: principal.roles } })}\n\n`,
    );
  }
}

function frame(event: LiveEvent): string {
  return `id: ${event.kind}:${event.id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}
