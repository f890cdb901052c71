import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { StandaloneHarness } from './standalone.harness';
import { postWebhook, runsOf, startWithWebhooks } from './webhook.harness';

const EXAMPLE = resolve(__dirname, '../../../config/webhook-sources.example.yaml');
const example = parse(readFileSync(EXAMPLE, 'utf8')) as { sources: Record<string, { secrets: string[] }> };
const secretOf = (source: string, i = 0) => example.sources[source].secrets[i];

/** The walkthrough: the committed example sources against the sample workflows. */
describe('webhook example sources', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await startWithWebhooks({ file: EXAMPLE });
  });
  afterAll(async () => sut.close());

  it.each([
    ['refund-form', 0, { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' } }, 'refund-request'],
    [
      'refund-form',
      1,
      { orgId: 'globex', payload: { customerId: 'cus_northwind', amount: 80, reason: 'Late delivery' } },
      'refund-request',
    ],
    [
      'support-form',
      0,
      { customerId: 'cus_northwind', subject: 'Invoice question', body: 'Why was I charged twice?' },
      'support-ticket-routing',
    ],
    [
      'lead-form',
      0,
      { company: 'Initech', employees: 40, inquiry: 'standard', email: 'ops@initech.example', region: 'east' },
      'lead-routing',
    ],
  ])('%s (secret %i) starts %s', async (source, secret, body, workflowId) => {
    const response = await postWebhook(sut, source, { secret: secretOf(source, secret), body });
    expect(response.status).toBe(202);
    const [runId] = await runsOf(sut, source, response.body.webhookId);
    expect(await sut.run(runId)).toMatchObject({ workflowId });
  });

  it('documents the webhook endpoints in the OpenAPI document', async () => {
    const { body } = await sut.http('GET', '/openapi.json');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/webhooks/{source}', '/webhooks/sources', '/webhooks/sources/{source}/inbox/{webhookId}']),
    );
    expect(Object.keys(body.paths['/webhooks/{source}'].post.responses)).toEqual(
      expect.arrayContaining(['202', '401', '413', '415', '429']),
    );
  });
});
