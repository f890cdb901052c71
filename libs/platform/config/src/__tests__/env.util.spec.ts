import { z } from 'zod';
import { commonEnvShape, EnvConfigError, envPort, parseEnv } from '../env.util';

const schema = z.object({ ...commonEnvShape, BATON_HTTP_PORT: envPort(3000) });

describe(parseEnv.name, () => {
  it('applies defaults and coerces values', () => {
    const sut = parseEnv('test', schema, { BATON_HTTP_PORT: '8080' });
    expect(sut.BATON_HTTP_PORT).toBe(8080);
    expect(sut.BATON_BUS).toBe('memory');
    expect(sut.LOG_LEVEL).toBe('info');
    // No sampler unless one is named: each process picks its own default (tracing-sdk.ts).
    expect(sut.OTEL_TRACES_SAMPLER).toBeUndefined();
    expect(parseEnv('test', schema, { OTEL_TRACES_SAMPLER: 'always_on' }).OTEL_TRACES_SAMPLER).toBe('always_on');
  });

  it('names every bad variable with what was wrong and what it got', () => {
    try {
      parseEnv('ingestion', schema, { BATON_HTTP_PORT: 'eighty', BATON_BUS: 'rabbit', BATON_DATABASE_URL: 'mysql://x' });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(EnvConfigError);
      const message = (error as Error).message;
      expect(message).toContain('ingestion: invalid configuration');
      expect(message).toMatch(/BATON_HTTP_PORT: .*got "eighty"/);
      expect(message).toMatch(/BATON_BUS: .*got "rabbit"/);
      expect(message).toMatch(/BATON_DATABASE_URL: must be a postgres:\/\/ URL \(got "mysql:\/\/x"\)/);
    }
  });
});
