import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LiveFeed } from '@baton/platform-audit';
import { as, StandaloneHarness } from './standalone.harness';

interface FeedEvent {
  event: string;
  data: any;
}

/** A reader of GET /live/events as a console reads it: one long response, events as they come. */
class Feed {
  readonly events: FeedEvent[] = [];
  private readonly waiters: Array<{ match: (e: FeedEvent) => boolean; resolve: (e: FeedEvent) => void }> = [];
  private response?: IncomingMessage;

  static open(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; feed: Feed }> {
    return new Promise((resolve, reject) => {
      const feed = new Feed();
      const req = request(`${base}${path}`, { headers }, (response) => {
        feed.response = response;
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            feed.take(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        resolve({ status: response.statusCode ?? 0, feed });
      });
      req.on('error', reject);
      req.end();
    });
  }

  next(match: (e: FeedEvent) => boolean): Promise<FeedEvent> {
    const seen = this.events.find(match);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): void {
    this.response?.destroy();
  }

  private take(frame: string): void {
    const lines = frame.split('\n').filter((l) => !l.startsWith(':'));
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
    if (!event || !data) return;
    const parsed = { event, data: JSON.parse(data) };
    this.events.push(parsed);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(parsed)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
      }
    }
  }
}

describe('the API the console stands on', () => {
  let sut: StandaloneHarness;
  let base: string;
  const feeds: Feed[] = [];

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
    await sut.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const feed of feeds) feed.close();
    await sut.close();
  });

  const open = async (headers: Record<string, string>, path = '/live/events') => {
    const opened = await Feed.open(base, path, headers);
    feeds.push(opened.feed);
    return opened;
  };
  /** cus_northwind is acme's customer, cus_soylent globex's. */
  const refund = (orgId: 'acme' | 'globex', amount: number) =>
    sut.startRun('refund-request', orgId, {
      customerId: orgId === 'acme' ? 'cus_northwind' : 'cus_soylent',
      amount,
      reason: 'console api e2e',
    });

  it('names the principal of a key, and refuses a missing or unknown one', async () => {
    expect(await sut.http('GET', '/me', undefined, as.financeLead)).toMatchObject({
      status: 200,
      body: { id: 'finance-lead@acme.example', orgId: 'acme', roles: ['reviewer'] },
    });
    expect(await sut.http('GET', '/me', undefined, as.operator)).toMatchObject({
      status: 200,
      body: { id: 'operator@baton.example', orgId: '*', roles: ['operator'] },
    });
    expect((await sut.http('GET', '/me')).status).toBe(401);
    expect((await sut.http('GET', '/me', undefined, { authorization: 'Bearer nope-nope-nope' })).status).toBe(401);
  });

  it(
    "streams the moves of the caller's organisation's runs and what was audited " + 'about them, and nothing of another organisation',
    async () => {
      const acme = await open(as.financeLead);
      const globex = await open(as.globexReviewer);
      const operator = await open(as.operator);
      for (const { status } of [acme, globex, operator]) expect(status).toBe(200);
      for (const { feed } of [acme, globex, operator]) await feed.next((e) => e.event === 'ready');
      expect(acme.feed.events[0]!.data).toEqual({ principal: { id: 'finance-lead@acme.example', orgId: 'acme', roles: ['reviewer'] } });

      const acmeRun = await refund('acme', 900);
      const waiting = await acme.feed.next((e) => e.event === 'run' && e.data.runId === acmeRun && e.data.to === 'awaiting_review');
      expect(waiting.data).toMatchObject({
        kind: 'run',
        runId: acmeRun,
        workflowId: 'refund-request',
        orgId: 'acme',
        from: 'enriched',
        to: 'awaiting_review',
        at: expect.any(String),
      });
      const acmeMoves = () => acme.feed.events.filter((e) => e.event === 'run' && e.data.runId === acmeRun).map((e) => e.data.to);
      expect(acmeMoves()).toEqual(['triggered', 'enriched', 'awaiting_review']);
      expect(await acme.feed.next((e) => e.event === 'audit' && e.data.runId === acmeRun && e.data.action === 'run.decide')).toMatchObject({
        data: { kind: 'audit', targetType: 'run', targetId: acmeRun, orgId: 'acme' },
      });
      // Ids and kinds only: the details are read through the API, whose own rules apply.
      expect(Object.keys(waiting.data).sort()).toEqual(['at', 'from', 'id', 'kind', 'orgId', 'runId', 'to', 'workflowId']);

      // A globex run after it: globex sees its own run and, before it, nothing of acme's.
      const globexRun = await refund('globex', 100);
      await globex.feed.next((e) => e.event === 'run' && e.data.runId === globexRun && e.data.to === 'completed');
      expect(globex.feed.events.filter((e) => e.event !== 'ready').every((e) => e.data.orgId === 'globex')).toBe(true);
      expect(globex.feed.events.some((e) => e.data.runId === acmeRun)).toBe(false);
      // The operator of all organisations sees both.
      await operator.feed.next((e) => e.data.runId === globexRun && e.data.to === 'completed');
      expect(operator.feed.events.some((e) => e.data.runId === acmeRun)).toBe(true);
    },
  );

  it('follows a decision made while listening: the reviewer sees the run leave review and complete', async () => {
    const { feed } = await open(as.financeLead);
    await feed.next((e) => e.event === 'ready');
    const runId = await refund('acme', 700);
    await sut.settled(runId);
    const [task] = (await sut.http('GET', '/reviews/mine', undefined, as.financeLead)).body.reviews.filter(
      (r: { runId: string }) => r.runId === runId,
    );
    await sut.http('POST', `/reviews/${task.id}/decision`, { verdict: 'approve', rationale: 'fine' }, as.financeLead);
    expect(await feed.next((e) => e.data?.runId === runId && e.data.to === 'completed')).toMatchObject({ data: { from: 'verifying' } });
    expect(feed.events.filter((e) => e.data?.runId === runId && e.event === 'run').map((e) => e.data.to)).toEqual([
      'triggered',
      'enriched',
      'awaiting_review',
      'decided',
      'acting',
      'verifying',
      'completed',
    ]);
  });

  it('stops following a console that went away', async () => {
    const feed = sut.app.get(LiveFeed);
    const before = feed.listeners;
    const { feed: reader } = await open(as.financeLead);
    await reader.next((e) => e.event === 'ready');
    expect(feed.listeners).toBe(before + 1);
    reader.close();
    // The server learns of the closed connection on its own schedule: wait for it, bounded.
    for (let i = 0; i < 200 && feed.listeners !== before; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(feed.listeners).toBe(before);
  });

  it('needs a key in the Authorization header: never one in the URL', async () => {
    expect((await open({})).status).toBe(401);
    expect((await open({}, '/live/events?apiKey=demo-finance-lead-key')).status).toBe(401);
    expect((await open({}, '/live/events?access_token=demo-finance-lead-key')).status).toBe(401);
  });

  it('gives a review task the actions its run would take: system, operation, arguments, and the record read from that system', async () => {
    const runId = await refund('acme', 901);
    await sut.settled(runId);
    const [task] = (await sut.http('GET', '/reviews/mine', undefined, as.financeLead)).body.reviews.filter(
      (r: { runId: string }) => r.runId === runId,
    );
    const { body } = await sut.http('GET', `/reviews/${task.id}`, undefined, as.financeLead);
    expect(body.plan).toEqual([
      {
        actionId: 'refund',
        connector: 'billing',
        operation: 'issueRefund',
        args: { accountId: 'acct_northwind', amount: 901, currency: 'USD', reason: 'console api e2e' },
        runs: true,
        message: false,
        current: expect.objectContaining({ id: 'acct_northwind', currency: 'USD', balance: expect.any(Number) }),
      },
      {
        actionId: 'confirmation',
        connector: 'notifications',
        operation: 'send',
        args: {
          channel: 'email',
          to: 'ap@northwind.example',
          subject: 'Your refund has been issued',
          body: { template: expect.stringContaining('actions.refund.refundId') },
        },
        runs: true,
        message: true,
        current: null,
      },
    ]);
  });
});
