import * as fc from 'fast-check';
import { apiRoutes, type ApiRoute } from './openapi.harness';
import { as, keysFileWith, StandaloneHarness } from './standalone.harness';

/** An acme principal with every role but admin: past the guard of every route not spanning organisations. */
const FUZZER = { authorization: 'Bearer hostile-input-acme-key' };

const HOSTILE = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'tail\udfff',
  '\udc00\ud800',
  '\u202e\u0007',
  "' OR 1=1 --",
  '__proto__',
  'constructor',
  '%00',
  '../../etc/passwd',
  '${7*7}',
  '\r\nX-Injected: 1',
  '💥',
  'x'.repeat(2000),
  '',
  'acme',
  'globex',
  '-1',
  '1e400',
  '00000000-0000-4000-8000-000000000000',
];

/** Text PostgreSQL refuses: NUL or an unpaired surrogate somewhere in otherwise ordinary text. */
const poison = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff\u0000'), fc.string({ maxLength: 6 }))
  .map(([head, bad, tail]) => `${head}${bad}${tail}`);
const hostileString = fc.oneof(
  { weight: 3, arbitrary: poison },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
);
const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
  ),
}));

/** JSON text JSON.stringify never writes: escapes of NUL and lone surrogates, overflowing numbers, deep nesting, broken syntax. */
const rawJson = fc.oneof(
  fc.constantFrom(
    '{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":1e400,"reason":"r"}}',
    '{"orgId":"acme","payload":{"customerId":"\\u0000","amount":5,"reason":"\\ud800"}}',
    '{"orgId":"acme\\u0000","payload":{}}',
    '{"\\u0000":1}',
    '[]',
    '"just a string"',
    'null',
    '{"orgId":"acme","payload":{}, "__proto__": {"polluted": true}}',
    '{"a":',
    '',
  ),
  fc.integer({ min: 60, max: 20_000 }).map((depth) => `{"orgId":"acme","payload":{"deep":${'['.repeat(depth)}${']'.repeat(depth)}}}`),
  fc.integer({ min: 60, max: 5_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.string({ maxLength: 40 }),
);

/** Each route's known fields, so bodies get past the first checks as often as not. */
const TEMPLATES: Record<string, Record<string, unknown>> = {
  'POST /workflows/{workflowId}/runs': { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 12, reason: 'fuzz' } },
  'POST /reviews/{reviewId}/decision': { verdict: 'reject', rationale: 'fuzz', suggestion: 'x', edits: { confirmation: { body: 'x' } } },
  'POST /reviews/{reviewId}/objection': { reason: 'fuzz' },
  'POST /reviews/{reviewId}/reassign': { owner: 'head-of-finance@acme.example', reason: 'fuzz' },
  'POST /classifiers/{workflowId}/train': { dataset: 'none', seed: 1 },
  'POST /classifiers/{workflowId}/evaluate': { dataset: 'none', targetPrecision: 0.9 },
  'POST /blocked-runs/{runId}/retry': { reason: 'fuzz', approve: false },
  'POST /blocked-runs/{runId}/close': { reason: 'fuzz' },
  'PATCH /action-queue/{id}': { priority: 1 },
  'POST /dead-letters/redrive': { ids: ['00000000-0000-4000-8000-000000000000'], reason: 'fuzz' },
  'POST /dead-letters/{id}/discard': { reason: 'fuzz' },
  'POST /audit/{id}/revert': { reason: 'fuzz' },
  'POST /reconciliation/mismatches/{id}/resolve': { reason: 'fuzz' },
  'POST /samples/{system}/faults': { latencyMs: 0 },
};

/** A body for the route: its template with fields swapped for hostile values or added, or anything at all. */
function body(route: ApiRoute): fc.Arbitrary<string> {
  const template = TEMPLATES[route.key] ?? {};
  const shaped = fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fc.oneof(fc.constant(v), hostileValue)]))),
      fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }),
    )
    .map(([fields, extra]) => JSON.stringify({ ...extra, ...fields }));
  return fc.oneof(
    shaped,
    hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
    rawJson,
  );
}

/** Percent-encodes as a browser would, and a lone surrogate as the bytes a lenient client would send. */
function encode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code >= 0xd800 && code <= 0xdfff ? '%ED%A0%80' : encodeURIComponent(char);
  }
  return out;
}

/** Values that pass a route's own checks, so the hostile value next to them reaches deeper. */
const PLAUSIBLE: Record<string, string> = {
  limit: '10',
  state: 'completed',
  status: 'open',
  queue: 'manual',
  order: 'asc',
  targetPrecision: '0.9',
  workflowId: 'refund-request',
  orgId: 'acme',
  connector: 'billing',
  field: 'customer.tier',
};

/** Each documented parameter left out, plausible or hostile; sometimes given twice; plus unknown ones. */
function query(route: ApiRoute): fc.Arbitrary<string> {
  const known = route.queryParams.map((name) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant<Array<[string, string]>>([]) },
      { weight: 3, arbitrary: fc.constant<Array<[string, string]>>([[name, PLAUSIBLE[name] ?? 'acme']]) },
      { weight: 2, arbitrary: hostileString.map((v): Array<[string, string]> => [[name, v]]) },
      {
        weight: 1,
        arbitrary: fc.tuple(hostileString, hostileString).map(([v, w]): Array<[string, string]> => [
          [name, v],
          [name, w],
        ]),
      },
    ),
  );
  return fc
    .tuple(fc.tuple(...known), fc.array(fc.tuple(hostileString, hostileString), { maxLength: 2 }))
    .map(([params, extra]) => [...params.flat(), ...extra])
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : ''));
}

function path(route: ApiRoute, values: Record<string, string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      ...route.pathParams.map((name) =>
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(values[`${route.key}:${name}`] ?? values[name]!) },
          { weight: 1, arbitrary: hostileString },
        ),
      ),
    )
    .map((params) => {
      let i = 0;
      return route.path.replace(/\{\w+\}/g, () => encode(params[i++] || '-'));
    });
}

describe('hostile input', () => {
  let sut: StandaloneHarness;
  let routes: ApiRoute[];
  const values: Record<string, string> = {
    workflowId: 'refund-request',
    id: '00000000-0000-4000-8000-000000000000',
    'PATCH /action-queue/{id}:id': '1',
    'GET /audit/{id}:id': '1',
    'POST /audit/{id}/revert:id': '1',
    source: 'refund-form',
    webhookId: 'msg_1',
    system: 'billing',
  };

  beforeAll(async () => {
    sut = await StandaloneHarness.start({
      apiKeysFile: keysFileWith([
        {
          key: 'hostile-input-acme-key',
          principal: 'fuzzer@acme.example',
          orgId: 'acme',
          roles: ['viewer', 'submitter', 'reviewer', 'operator', 'review-override'],
        },
      ]),
    });
    routes = await apiRoutes(sut);
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 900, reason: 'Wrong order' });
    values['runId'] = runId;
    values['reviewId'] = ((await sut.settled(runId)) as any).data.reviewId;
  });
  afterAll(async () => sut.close());

  it('answers 400 naming the path for the inputs that used to be 500s, and takes in nothing', async () => {
    const start = (text: string) =>
      sut.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'POST',
          url: '/workflows/refund-request/runs',
          headers: { ...as.submitter, 'content-type': 'application/json' },
          payload: text,
        });
    const cases: Array<[string, string, string]> = [
      [
        '{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":5,"reason":"a\\u0000b"}}',
        '/payload/reason',
        'must not contain the NUL character (U+0000)',
      ],
      [
        '{"orgId":"acme","payload":{"customerId":"\\ud800","amount":5,"reason":"r"}}',
        '/payload/customerId',
        'must be well-formed Unicode (it holds an unpaired surrogate)',
      ],
      [
        '{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":1e400,"reason":"r"}}',
        '/payload/amount',
        'must be a finite number',
      ],
      [
        `{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":5,"reason":"r","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
        `/payload/x${'/0'.repeat(62)}`,
        'nests deeper than 64 levels of objects and arrays',
      ],
      [
        '{"orgId":"acme","payload":{"customerId":"cus_northwind","amount":499.999999,"reason":"r"}}',
        '/payload/amount',
        'must have at most 2 decimal places in EUR (its minor unit), got 499.999999',
      ],
    ];
    const before = (await sut.http('GET', '/runs?limit=500', undefined, as.operator)).body.runs.length;
    for (const [text, path, message] of cases) {
      const response = await start(text);
      expect([response.statusCode, JSON.parse(response.body).details.issues[0]]).toEqual([400, { path, message }]);
    }
    for (const url of [
      '/runs?orgId=ac%00me',
      '/reviews?owner=%00',
      '/dead-letters?topic=%00',
      '/audit?actor=%00',
      '/blocked-runs?workflowId=%00',
      '/action-queue?connector=%00',
      '/runs?state=a&state=b',
      '/runs/%00',
    ]) {
      const response = await sut.http('GET', url, undefined, as.admin);
      expect([url, response.status, response.body.error]).toEqual([url, 400, 'invalid_input']);
    }
    expect((await sut.http('GET', '/runs?limit=500', undefined, as.operator)).body.runs).toHaveLength(before);
  });

  it('never answers a hostile body, query or path with a 5xx, never starts a run for another organisation, and stays ready', async () => {
    const fuzzed = routes.filter((r) => !r.key.startsWith('POST /webhooks/'));
    expect(fuzzed.length).toBeGreaterThan(40);
    const failures: string[] = [];
    for (const [index, route] of fuzzed.entries()) {
      // Routes spanning organisations refuse the acme principal at the guard: an operator of all goes further.
      const callers = route.key === 'POST /workflows/{workflowId}/runs' ? [FUZZER] : [FUZZER, as.admin];
      // A failing case is recorded in `failures`; whatever else makes the property throw is recorded too.
      for (const [c, caller] of callers.entries())
        await fc
          .assert(
            fc.asyncProperty(
              path(route, values),
              query(route),
              route.takesBody ? body(route) : fc.constant(undefined),
              async (url, qs, text) => {
                const response = await sut.inject({
                  method: route.method,
                  url: `${url}${qs}`,
                  headers: { ...caller, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
                  ...(text === undefined ? {} : { payload: text }),
                });
                if (response.statusCode >= 500)
                  failures.push(
                    `${route.method} ${url}${qs} ${text?.slice(0, 120) ?? ''} -> ${response.statusCode} ${response.body.slice(0, 200)}`,
                  );
                return response.statusCode < 500;
              },
            ),
            { numRuns: 20, seed: 20_261_201 + index * 2 + c },
          )
          .catch((error: Error) => {
            failures.push(`${route.key}: ${error.message.split('\n')[0]}`);
          });
    }
    expect(failures).toEqual([]);

    const runs = (await sut.http('GET', '/runs?limit=500', undefined, as.operator)).body.runs as Array<{ orgId: string }>;
    expect(runs.filter((r) => r.orgId !== 'acme')).toEqual([]);
    expect((await sut.http('GET', '/ready')).body).toMatchObject({ status: 'ready' });
  });
});
