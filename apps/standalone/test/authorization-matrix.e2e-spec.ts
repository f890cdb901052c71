import { resolve } from 'node:path';
import { apiRoutes, fillPath, type ApiRoute } from './openapi.harness';
import { keysFileWith, StandaloneHarness } from './standalone.harness';

/**
 * Who may call what: every route of the OpenAPI document, called by each kind of caller, against
 * the status this table expects. Resources named in paths are acme's (a run, review tasks); the
 * "globex" caller holds every role but admin, of the other organisation. Bodies are chosen to be
 * admitted without side effects worth mentioning, so an admitted caller gets the route's own
 * answer (200, or 400/404/409 for the harmless body) and a refused one 401, 403 or, where another
 * organisation's record is named, 404.
 */
const CALLERS = {
  none: undefined,
  bogus: 'not-a-key-at-all',
  viewer: 'demo-viewer-key',
  submitter: 'demo-submitter-key',
  /** The finance lead: owner of refund-request's reviews. */
  reviewer: 'demo-finance-lead-key',
  /** Operator of all organisations. */
  operator: 'demo-operator-key',
  admin: 'demo-admin-key',
  acmeOperator: 'matrix-acme-operator-key',
  override: 'demo-override-key',
  globex: 'matrix-globex-all-roles-key',
} as const;
type Caller = keyof typeof CALLERS;
const ORDER = Object.keys(CALLERS) as Caller[];

// Statuses in the order of CALLERS:   none bogus viewer submitter reviewer operator admin acmeOperator override globex
const TABLE: Record<string, string> = {
  'GET /health': '                      200  200   200    200       200      200      200   200          200      200',
  'GET /ready': '                       200  200   200    200       200      200      200   200          200      200',
  'GET /metrics': '                     200  200   200    200       200      200      200   200          200      200',
  // Signed webhooks: the signature is the credential, an API key means nothing there.
  'POST /webhooks/{source}': '          401  401   401    401       401      401      401   401          401      401',
  'GET /workflows': '                   401  401   200    200       200      200      200   200          200      200',
  'GET /workflows/{workflowId}': '      401  401   200    200       200      200      200   200          200      200',
  // Body {orgId: acme, payload: {}}: submitters of acme get as far as the trigger check (400).
  'POST /workflows/{workflowId}/runs': '401  401   403    400       403      403      400   403          403      403',
  'GET /runs': '                        401  401   200    200       200      200      200   200          200      200',
  'GET /runs/{runId}': '                401  401   200    200       200      200      200   200          200      404',
  'GET /reviews': '                     401  401   403    403       200      200      200   200          200      200',
  'GET /reviews/mine': '                401  401   403    403       200      200      200   200          200      200',
  'GET /reviews/{reviewId}': '          401  401   403    403       200      200      200   200          200      404',
  // An approval with an edit of a draft the task does not have: deciders reach the edit check (400).
  'POST /reviews/{reviewId}/decision': '401  401   403    403       400      403      403   403          400      404',
  // Claiming the support lead's task: only the override holder may, of these callers.
  'POST /reviews/{reviewId}/claim': '   401  401   403    403       403      403      403   403          200      404',
  // Objecting to a task that is not fast-tracked: 409 once admitted.
  'POST /reviews/{reviewId}/objection': '401 401  403    403       409      409      409   409          409      404',
  // Reassigning to a principal nobody knows: 400 once admitted.
  'POST /reviews/{reviewId}/reassign': '401  401   403    403       400      400      400   400          400      404',
  'GET /classifiers/{workflowId}': '    401  401   403    403       200      200      200   200          200      200',
  'GET /classifiers/{workflowId}/calibration': '401 401 403  403       403      200      200   200          403      200',
  // Training and evaluating change a classifier every organisation's runs use: operators of all. Body {}: 400.
  'POST /classifiers/{workflowId}/train': '401 401    403    403       403      400      400   403          403      403',
  'POST /classifiers/{workflowId}/evaluate': '401 401 403    403       403      400      400   403          403      403',
  'GET /blocked-runs': '                401  401   403    403       403      200      200   200          403      200',
  'GET /blocked-runs/{runId}': '        401  401   403    403       403      404      404   404          403      404',
  'POST /blocked-runs/{runId}/retry': ' 401  401   403    403       403      404      404   404          403      404',
  'POST /blocked-runs/{runId}/close': ' 401  401   403    403       403      404      404   404          403      404',
  'GET /action-queue': '                401  401   403    403       403      200      200   200          403      200',
  'PATCH /action-queue/{id}': '         401  401   403    403       403      404      404   404          403      404',
  'GET /circuits': '                    401  401   403    403       403      200      200   200          403      200',
  // Holding a connector's circuit reaches every organisation: operators of all. Body {}: 400; an unknown connector: 404.
  'POST /circuits/{connector}/force': ' 401  401   403    403       403      400      400   403          403      403',
  'DELETE /circuits/{connector}/force': '401 401   403    403       403      404      404   403          403      403',
  // Consumer groups serve every organisation: operators of all. An unknown group: 404.
  'GET /consumers': '                   401  401   403    403       403      200      200   403          403      403',
  'POST /consumers/{groupId}/pause': '  401  401   403    403       403      404      404   403          403      403',
  'POST /consumers/{groupId}/resume': ' 401  401   403    403       403      404      404   403          403      403',
  // Stuck runs: operators, each of its own organisation's.
  'GET /stuck-runs': '                  401  401   403    403       403      200      200   200          403      200',
  // Who a key belongs to: any key Baton knows.
  'GET /me': '                          401  401   200    200       200      200      200   200          200      200',
  // The live feed (a stream; its status is the answer): readers of runs and reviews.
  'GET /live/events': '                 401  401   200    403       200      200      200   200          200      200',
  'GET /dead-letters': '                401  401   403    403       403      200      200   200          403      200',
  'GET /dead-letters/{id}': '           401  401   403    403       403      404      404   404          403      404',
  'POST /dead-letters/redrive': '       401  401   403    403       403      404      404   404          403      404',
  'POST /dead-letters/{id}/discard': '  401  401   403    403       403      404      404   404          403      404',
  'GET /triggers/sources': '            401  401   403    403       403      200      200   200          403      200',
  'GET /webhooks/sources': '            401  401   403    403       403      200      200   200          403      200',
  'GET /webhooks/sources/{source}/inbox/{webhookId}': '401 401 403 403  403      404      404   403          403      403',
  // Across organisations: the audit log, reconciliation and the sample systems.
  'GET /audit': '                       401  401   403    403       403      200      200   403          403      403',
  'GET /audit/verify': '                401  401   403    403       403      200      200   403          403      403',
  'GET /audit/{id}': '                  401  401   403    403       403      200      200   403          403      403',
  'POST /audit/{id}/revert': '          401  401   403    403       403      404      404   403          403      403',
  'GET /reconciliation/mismatches': '   401  401   403    403       403      200      200   403          403      403',
  'GET /reconciliation/mismatches/{id}': '401 401  403    403       403      404      404   403          403      403',
  'POST /reconciliation/sweep': '       401  401   403    403       403      200      200   403          403      403',
  'POST /reconciliation/mismatches/{id}/resolve': '401 401 403 403      403      404      404   403          403      403',
  'GET /samples': '                     401  401   403    403       403      200      200   403          403      403',
  'GET /samples/{system}': '            401  401   403    403       403      200      200   403          403      403',
  'POST /samples/{system}/faults': '    401  401   403    403       403      201      201   403          403      403',
  'DELETE /samples/{system}/faults': '  401  401   403    403       403      200      200   403          403      403',
  'POST /samples/reset': '              401  401   403    403       403      200      200   403          403      403',
};

const GHOST_UUID = '00000000-0000-4000-8000-00000000dead';

/** The body each mutating route gets: admitted without changing anything that matters. */
const BODIES: Record<string, unknown> = {
  'POST /webhooks/{source}': { orgId: 'acme', payload: {} },
  'POST /workflows/{workflowId}/runs': { orgId: 'acme', payload: {} },
  'POST /reviews/{reviewId}/decision': { verdict: 'approve', rationale: 'matrix', edits: { nothing: { body: 'x' } } },
  'POST /reviews/{reviewId}/objection': { reason: 'matrix' },
  'POST /reviews/{reviewId}/reassign': { owner: 'nobody@acme.example', reason: 'matrix' },
  'POST /classifiers/{workflowId}/train': {},
  'POST /classifiers/{workflowId}/evaluate': {},
  'POST /blocked-runs/{runId}/retry': {},
  'POST /blocked-runs/{runId}/close': { reason: 'matrix' },
  'PATCH /action-queue/{id}': { priority: 1 },
  'POST /dead-letters/redrive': { ids: [GHOST_UUID], reason: 'matrix' },
  'POST /dead-letters/{id}/discard': { reason: 'matrix' },
  'POST /audit/{id}/revert': { reason: 'matrix' },
  'POST /reconciliation/mismatches/{id}/resolve': { reason: 'matrix' },
  'POST /samples/{system}/faults': {},
};

describe('authorization matrix', () => {
  let sut: StandaloneHarness;
  let routes: ApiRoute[];
  const values: Record<string, string> = {
    workflowId: 'refund-request',
    'GET /classifiers/{workflowId}:workflowId': 'banking-support-routing',
    'GET /classifiers/{workflowId}/calibration:workflowId': 'banking-support-routing',
    'POST /classifiers/{workflowId}/train:workflowId': 'banking-support-routing',
    'POST /classifiers/{workflowId}/evaluate:workflowId': 'banking-support-routing',
    id: GHOST_UUID,
    'PATCH /action-queue/{id}:id': '999999',
    'GET /audit/{id}:id': '1',
    'POST /audit/{id}/revert:id': '999999',
    source: 'refund-form',
    webhookId: 'msg_matrix',
    system: 'crm',
    connector: 'no-such-connector',
    groupId: 'no-such-group',
  };

  beforeAll(async () => {
    sut = await StandaloneHarness.start({
      webhooks: { sourcesFile: resolve(__dirname, '../../../config/webhook-sources.example.yaml') },
      apiKeysFile: keysFileWith([
        { key: CALLERS.acmeOperator, principal: 'ops@acme.example', orgId: 'acme', roles: ['operator'] },
        {
          key: CALLERS.globex,
          principal: 'everything@globex.example',
          orgId: 'globex',
          roles: ['viewer', 'submitter', 'reviewer', 'operator', 'review-override'],
        },
      ]),
    });
    routes = await apiRoutes(sut);
    // acme's records the paths name: a refund awaiting the finance lead, a ticket awaiting the support lead.
    const refund = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 900, reason: 'Wrong order' });
    const ticket = await sut.startRun('support-ticket-routing', 'acme', {
      customerId: 'cus_mismatch',
      subject: 'Plan',
      body: 'Which plan?',
    });
    values['runId'] = refund;
    values['reviewId'] = ((await sut.settled(refund)) as any).data.reviewId;
    values['POST /reviews/{reviewId}/claim:reviewId'] = ((await sut.settled(ticket)) as any).data.reviewId;
    values['GET /blocked-runs/{runId}:runId'] = GHOST_UUID;
  });
  afterAll(async () => sut.close());

  it('has a row for every route of the OpenAPI document, and none for a route it does not describe', () => {
    const described = routes.map((r) => r.key);
    expect(described.filter((key) => !(key in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((key) => !described.includes(key))).toEqual([]);
  });

  it('answers every caller of every route as the table says: no wrong admission, no wrong refusal', async () => {
    const mismatches: string[] = [];
    let wrongAdmissions = 0;
    for (const route of routes.filter((r) => r.key in TABLE)) {
      const expected = TABLE[route.key]!.trim().split(/\s+/).map(Number);
      expect([route.key, expected.length]).toEqual([route.key, ORDER.length]);
      for (const [i, caller] of ORDER.entries()) {
        const key = CALLERS[caller];
        const body = route.takesBody ? (BODIES[route.key] ?? {}) : undefined;
        const response = await sut.http(
          route.method as 'GET',
          fillPath(route, values),
          body,
          key ? { authorization: `Bearer ${key}` } : {},
        );
        if (response.status !== expected[i]) {
          mismatches.push(
            `${route.key} as ${caller}: expected ${expected[i]}, got ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`,
          );
          const refusal = [401, 403].includes(expected[i]!) || (caller === 'globex' && expected[i] === 404);
          if (refusal && response.status < 400) wrongAdmissions++;
        }
      }
    }
    expect({ wrongAdmissions, mismatches }).toEqual({ wrongAdmissions: 0, mismatches: [] });
  });

  it('shows a caller of another organisation none of acme’s runs or reviews in lists, and refuses to list them by name', async () => {
    const globex = { authorization: `Bearer ${CALLERS.globex}` };
    const runs = (await sut.http('GET', '/runs?limit=500', undefined, globex)).body.runs as Array<{ orgId: string }>;
    const reviews = (await sut.http('GET', '/reviews', undefined, globex)).body.reviews as Array<{ orgId: string }>;
    expect([...runs, ...reviews].filter((item) => item.orgId !== 'globex')).toEqual([]);
    expect((await sut.http('GET', '/runs?orgId=acme', undefined, globex)).status).toBe(403);
    expect((await sut.http('GET', '/runs?orgId=acme', undefined, { authorization: `Bearer ${CALLERS.operator}` })).status).toBe(200);
  });
});
