import { JsonLogger } from '../json-logger';

function capture(level?: 'info' | 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = new JsonLogger({
    service: 'test',
    ...(level ? { level } : {}),
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

describe(JsonLogger.name, () => {
  it('writes a line at or above its level with the message, its fields and the Nest context', () => {
    const { logger, lines } = capture();
    logger.log({ runId: 'r-1', durationMs: 12 }, 'processed', 'Relay');
    logger.warn('slow', 'Relay');
    expect(lines).toEqual([
      expect.objectContaining({ level: 30, service: 'test', context: 'Relay', runId: 'r-1', durationMs: 12, msg: 'processed' }),
      expect.objectContaining({ level: 40, context: 'Relay', msg: 'slow' }),
    ]);
  });

  it('writes nothing below its level, whatever the message carries', () => {
    const { logger, lines } = capture('info');
    logger.debug({ runId: 'r-1' }, 'message started', 'Consumer');
    logger.verbose('detail', 'Consumer');
    // Nest's start-up chatter is debug.
    logger.log('Mapped {/runs, POST} route', 'RouterExplorer');
    expect(lines).toEqual([]);
  });

  it('writes debug lines, the quiet contexts included, once its level is debug', () => {
    const { logger, lines } = capture('debug');
    logger.debug({ runId: 'r-1', outcome: 'processed' }, 'message finished', 'Consumer');
    logger.log('Mapped {/runs, POST} route', 'RouterExplorer');
    expect(lines).toEqual([
      expect.objectContaining({ level: 20, context: 'Consumer', runId: 'r-1', outcome: 'processed', msg: 'message finished' }),
      expect.objectContaining({ level: 20, context: 'RouterExplorer', msg: 'Mapped {/runs, POST} route' }),
    ]);
  });

  it('keeps an error its message and stack', () => {
    const { logger, lines } = capture();
    const error = new Error('broken');
    logger.error(error, 'Relay');
    expect(lines[0]).toEqual(
      expect.objectContaining({
        level: 50,
        context: 'Relay',
        msg: 'broken',
        err: expect.objectContaining({ message: 'broken', stack: error.stack }),
      }),
    );
  });
});
