import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger as Pino } from 'pino';
import { currentTraceIds } from './tracing';

const levelMap: Record<LogLevel, pino.Level> = {
  verbose: 'trace',
  debug: 'debug',
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

// Nest's start-up chatter (one line per module and route) is useful when debugging, noise otherwise.
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Structured JSON logs through Nest's Logger: one object per line with the Nest context (the
 * class name), the active trace and span ids, and any fields passed as an object message —
 * `logger.log({ runId, eventId, durationMs }, 'processed')`.
 */
export class JsonLogger implements LoggerService {
  private readonly pino: Pino;

  constructor(options: { service: string; level?: pino.Level; destination?: pino.DestinationStream }) {
    this.pino = pino(
      { level: options.level ?? 'info', base: { service: options.service }, timestamp: pino.stdTimeFunctions.isoTime },
      // Synchronous writes keep log lines and the start-up banner in order and survive a crash.
      options.destination ?? pino.destination({ sync: true }),
    );
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  flush(): void {
    this.pino.flush();
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context as the last string argument; an error's stack may come before it.
    const params = [...rest];
    const context = typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    if (level === 'log' && context && QUIET_CONTEXTS.has(context)) level = 'debug';
    // A line below the level costs nothing more: no trace lookup, no fields (a consumer logs two
    // at debug per message).
    if (!this.pino.isLevelEnabled(levelMap[level])) return;
    const fields: Record<string, unknown> = { ...currentTraceIds(), ...(context ? { context } : {}) };
    let text: string | undefined;
    if (message instanceof Error) {
      fields.err = { message: message.message, stack: message.stack };
      text = message.message;
    } else if (message && typeof message === 'object') {
      Object.assign(fields, message);
      if (typeof params[0] === 'string') text = params.shift() as string;
    } else {
      text = String(message);
    }
    if (typeof params[0] === 'string' && level === 'error') fields.stack = params[0];
    this.pino[levelMap[level]](fields, text);
  }
}
