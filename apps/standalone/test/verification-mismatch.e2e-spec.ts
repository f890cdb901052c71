import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandaloneHarness, WORKFLOWS_DIR } from './standalone.harness';

// A workflow whose ticket lands in another team than intended: the connector answers 200 and
// returns a ticket id, but reading the ticket back shows the wrong team.
const MISROUTED = `apiVersion: baton/v1
kind: Workflow
id: misrouted-ticket
version: 1
name: Misrouted ticket
owner: support-lead@acme.example
trigger:
  type: webhook
  source: misrouted-form
actions:
  - id: ticket
    connector: tickets
    operation: createTicket
    args:
      title: "'Printer on fire'"
      team: "'facilities'"
      priority: "'high'"
    verify:
      operation: getTicket
      args:
        ticketId: result.ticketId
      expect: state.team == 'security'
`;

describe('verification by read-back', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    cpSync(WORKFLOWS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'misrouted-ticket.yaml'), MISROUTED);
    sut = await StandaloneHarness.start({ workflowsDir: dir });
  });
  afterAll(async () => sut.close());

  it('marks an action whose read-back differs from the intent as a data failure and blocks the run: no silent success', async () => {
    const runId = await sut.startRun('misrouted-ticket', 'acme', {});
    const settled: any = await sut.settled(runId);
    expect(settled).toMatchObject({ type: 'baton.run.completed', data: { status: 'blocked' } });
    const [verification] = settled.data.verifications;
    expect(verification).toMatchObject({ actionId: 'ticket', ok: false, failureClass: 'data', state: { team: 'facilities' } });
    expect(verification.reason).toContain("state.team == 'security' is false");

    const run = await sut.run(runId);
    expect(run.state).toBe('blocked');
    expect(run.timeline.at(-1)).toMatchObject({ from: 'verifying', to: 'blocked', stage: 'verification' });
    // The action did happen (the call succeeded); only its read-back disagreed.
    expect(sut.systems.tickets.effects().createTicket).toBe(1);
  });
});
