import { failureForStatus, parseRetryAfter, type HttpResponse } from '../index';

const NOW = new Date('2025-03-01T12:00:00.000Z');

function response(status: number, body: unknown = null, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, body, text: typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body) };
}

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 7 ', 7_000],
    ['Sat, 01 Mar 2025 12:00:30 GMT', 30_000],
    ['Sat, 01 Mar 2025 11:00:00 GMT', 0],
    ['Saturday, 01-Mar-25 12:01:00 GMT', 60_000],
  ])('reads "%s" as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([undefined, '', '-5', '1.5', 'soon', '12:00'])('ignores %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], NOW)).toBe(3_000);
  });
});

describe('failureForStatus', () => {
  it.each([
    [429, 'transient', 'rate_limited'],
    [408, 'transient', 'timeout'],
    [500, 'transient', 'server_error'],
    [502, 'transient', 'server_error'],
    [503, 'transient', 'unavailable'],
    [400, 'data', 'bad_request'],
    [401, 'data', 'unauthorized'],
    [403, 'data', 'forbidden'],
    [404, 'data', 'not_found'],
    [409, 'data', 'conflict'],
    [422, 'data', 'unprocessable'],
    [418, 'data', 'client_error'],
    [302, 'data', 'redirect_not_followed'],
  ])('classifies HTTP %d as %s (%s)', (status, failureClass, code) => {
    expect(failureForStatus('crm', 'getLead', response(status), NOW)).toMatchObject({ failureClass, code });
  });

  it('carries Retry-After on transient failures only', () => {
    expect(failureForStatus('crm', 'op', response(429, null, { 'retry-after': '2' }), NOW).retryAfterMs).toBe(2_000);
    expect(failureForStatus('crm', 'op', response(503, null, { 'retry-after': '5' }), NOW).retryAfterMs).toBe(5_000);
    expect(failureForStatus('crm', 'op', response(400, null, { 'retry-after': '5' }), NOW).retryAfterMs).toBeUndefined();
  });

  it("quotes the server's own error message", () => {
    const error = failureForStatus('crm', 'updateLead', response(422, { message: 'email is invalid' }), NOW);

    expect(error.message).toBe('crm.updateLead: HTTP 422: email is invalid');
  });

  it('says where a redirect pointed', () => {
    const error = failureForStatus('crm', 'getLead', response(301, null, { location: 'https://elsewhere.example/' }), NOW);

    expect(error.message).toBe('crm.getLead: HTTP 301 to https://elsewhere.example/');
  });
});
