import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandaloneHarness, WORKFLOWS_DIR } from './standalone.harness';

// Lead routing by an external model: the server stands in for an OpenAI-compatible provider on
// loopback, answering as such a provider does; what is tested is Baton's side of the exchange.
const WORKFLOW = `apiVersion: baton/v1
kind: Workflow
id: lead-routing-external
version: 1
name: Lead routing by an external model
owner: sales-ops@acme.example
trigger:
  type: webhook
  source: lead-form-external
decision:
  classifier:
    provider: external
    text: trigger.inquiry
    labels: [sales-east, sales-west]
  thresholds: { auto: 0.9, suggest: 0.5 }
actions:
  - id: lead
    connector: crm
    operation: createLead
    args:
      company: "'Initrode'"
      email: "'buyer@initrode.example'"
      ownerTeam: decision.suggestion
    verify:
      operation: getLead
      args:
        leadId: result.leadId
      expect: state.ownerTeam == decision.suggestion
`;

describe('classification by an external OpenAI-compatible model', () => {
  let sut: StandaloneHarness;
  let server: Server;
  const requests: any[] = [];
  let answer: (body: any) => { status: number; content: string } = () => ({
    status: 200,
    content: '{"label":"sales-west","confidence":0.97}',
  });

  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString());
      requests.push({ url: req.url, auth: req.headers.authorization, body });
      const { status, content } = answer(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    cpSync(WORKFLOWS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'lead-routing-external.yaml'), WORKFLOW);
    const port = (server.address() as AddressInfo).port;
    sut = await StandaloneHarness.start({
      workflowsDir: dir,
      externalModel: { url: `http://127.0.0.1:${port}/v1`, model: 'test-model', apiKey: 'sk-test' },
    });
  });
  afterAll(async () => {
    await sut.close();
    server.close();
  });

  it('asks the endpoint to choose among the workflow labels and acts on a confident answer', async () => {
    const runId = await sut.startRun('lead-routing-external', 'acme', {
      inquiry: 'We are a 2,000-person company in Seattle looking for an enterprise plan',
    });
    expect(await sut.settled(runId)).toMatchObject({ type: 'baton.run.completed', data: { status: 'completed' } });
    const decision = (await sut.run(runId)).timeline.find((t) => t.to === 'decided')!.detail.decision as any;
    expect(decision).toMatchObject({
      tier: 'auto',
      suggestion: 'sales-west',
      confidence: 0.97,
      classifier: { modelId: 'external:test-model' },
    });
    const request = requests.at(-1);
    expect(request).toMatchObject({ url: '/v1/chat/completions', auth: 'Bearer sk-test', body: { model: 'test-model' } });
    expect(request.body.messages[0].content).toContain('"sales-east", "sales-west"');
    expect(request.body.messages[1].content).toContain('Seattle');
  });

  it('sends the run to a person when the model is unsure, unreachable, or answers outside the labels', async () => {
    answer = () => ({ status: 200, content: '{"label":"sales-east","confidence":0.6}' });
    const unsure = await sut.startRun('lead-routing-external', 'acme', { inquiry: 'maybe east?' });
    expect(await sut.settled(unsure)).toMatchObject({
      type: 'baton.review.requested',
      data: { queue: 'suggested', proposal: { suggestion: 'sales-east' } },
    });

    answer = () => ({ status: 200, content: '{"label":"marketing","confidence":0.99}' });
    const outside: any = await sut.settled(await sut.startRun('lead-routing-external', 'acme', { inquiry: 'hello' }));
    expect(outside).toMatchObject({ type: 'baton.review.requested', data: { queue: 'manual' } });
    expect(outside.data.proposal.reason).toContain('not one of the workflow');

    answer = () => ({ status: 503, content: '' });
    const down: any = await sut.settled(await sut.startRun('lead-routing-external', 'acme', { inquiry: 'anyone there?' }));
    expect(down).toMatchObject({ type: 'baton.review.requested', data: { queue: 'manual' } });
    expect(down.data.proposal.reason).toContain('HTTP 503');
  });
});
