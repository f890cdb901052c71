import { resolve } from 'node:path';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { IngestionErrorCode, IngestionException } from '../../ingestion.exception';
import type { StartRunCommand, StartRunUseCase } from '../../start-run/start-run.use-case';
import { DispatchWebhookUseCase } from '../dispatch-webhook.use-case';
import type { ClaimedEntry } from '../webhook-inbox.repository';
import { WebhookSources } from '../webhook-sources.util';

const WORKFLOWS = resolve(__dirname, '../../../../../workflows');
const secrets = [`whsec_${Buffer.alloc(32, 7).toString('base64')}`];

function entry(source: string, body: unknown): ClaimedEntry {
  return { source, webhookId: 'msg_1', receivedAt: new Date(), body: Buffer.from(JSON.stringify(body)), trace: {}, attempts: 1 };
}

describe(DispatchWebhookUseCase.name, () => {
  const started: StartRunCommand[] = [];
  let failWith: Error | null;
  let sut: DispatchWebhookUseCase;

  beforeEach(() => {
    started.length = 0;
    failWith = null;
    const startRun = {
      execute: async (command: StartRunCommand) => {
        if (failWith) throw failWith;
        started.push(command);
        return { runId: `run-${started.length}`, duplicate: false };
      },
    } as unknown as StartRunUseCase;
    const sources = WebhookSources.parse(
      {
        sources: {
          'refund-form': { secrets, orgIds: ['acme', 'globex'] },
          'support-form': { secrets, orgId: 'acme' },
          orphan: { secrets, orgIds: ['acme'] },
        },
      },
      'test',
    );
    sut = new DispatchWebhookUseCase(sources, new WorkflowCatalog(WORKFLOWS), startRun);
  });

  it('starts the workflow of the source, keyed by workflow and webhook id so a second dispatch finds the same run', async () => {
    const payload = { customerId: 'cus_northwind', amount: 5, reason: 'r' };

    expect(await sut.execute(entry('refund-form', { orgId: 'acme', payload }))).toEqual({ outcome: 'processed', runIds: ['run-1'] });
    expect(started[0]).toEqual({
      workflowId: 'refund-request',
      orgId: 'acme',
      payload,
      source: { kind: 'webhook', name: 'refund-form' },
      dedupeKey: 'refund-request@1:msg_1',
      actor: 'webhook:refund-form',
    });
  });

  it('takes the organisation of a fixed-org source and the whole body as payload', async () => {
    await sut.execute(entry('support-form', { customerId: 'c', subject: 's', body: 'b' }));
    expect(started[0]).toMatchObject({
      workflowId: 'support-ticket-routing',
      orgId: 'acme',
      payload: { customerId: 'c', subject: 's', body: 'b' },
    });
  });

  it('fails for good what can never start, and retries what may succeed later', async () => {
    expect(await sut.execute(entry('gone', {}))).toMatchObject({
      outcome: 'failed',
      reason: 'webhook source gone is no longer configured',
    });
    expect(await sut.execute(entry('orphan', {}))).toMatchObject({
      outcome: 'failed',
      reason: 'no workflow is triggered by webhook source orphan',
    });

    failWith = new IngestionException(IngestionErrorCode.InvalidTrigger, 'trigger payload does not match', undefined, 'reject');
    expect(await sut.execute(entry('refund-form', { orgId: 'acme', payload: {} }))).toMatchObject({
      outcome: 'failed',
      reason: 'refund-request: trigger payload does not match',
    });

    failWith = new Error('connection terminated');
    expect(await sut.execute(entry('refund-form', { orgId: 'acme', payload: {} }))).toMatchObject({
      outcome: 'retry',
      reason: 'refund-request: connection terminated',
    });
  });
});
