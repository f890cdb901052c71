import { BadRequestException } from '@nestjs/common';
import { faultSettingsRequest } from '../sample-systems.controller';

describe('faultSettingsRequest', () => {
  const sut = faultSettingsRequest;

  it('keeps only the switches named, null among them (turns one off)', () => {
    expect(sut.parse({ latencyMs: 200 })).toEqual({ latencyMs: 200 });
    expect(sut.parse({ down: null, failNext: { count: 3, kind: 'server_error' }, other: 1 })).toEqual({
      down: null,
      failNext: { count: 3, kind: 'server_error' },
    });
  });

  it('names each bad switch, as a 400 bad_request', () => {
    expect(sut.issuesOf({ latencyMs: -1, down: 'yes', failNext: { count: 1.5, kind: 'meltdown' } })).toEqual([
      { path: '/latencyMs', message: 'must be a non-negative number' },
      { path: '/down', message: 'must be true or false' },
      { path: '/failNext/count', message: 'must be a non-negative integer' },
      { path: '/failNext/kind', message: 'must be one of timeout, rate_limited, server_error, bad_request, connection_refused' },
    ]);
    expect(() => sut.parse([])).toThrow(BadRequestException);
  });
});
