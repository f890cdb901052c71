import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { freePort } from '@baton/platform-testing';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded default keeps the README's promise when its process dies: `npm start`'s engine,
 * run as its own process on its own data folder, is killed with SIGKILL at a random moment while
 * refund runs pour in, three times, and restarted on the same folder each time. Every run it
 * accepted (answered 2xx) completes, each refund is applied exactly once at the sample billing
 * system (whose writes live in the same database, so they are counted across the restarts), and
 * no run is left stuck.
 */

const ROOT = join(__dirname, '..', '..', '..');
/** Inside the workspace, so the build's requires find node_modules. */
const BUILD = join('tmp', 'crash-restart-build');
const RUNS_PER_ROUND = 500;
const CONCURRENCY = 50;
const ROUNDS = 3;
const OPERATOR = 'demo-operator-key';
/** acme's demo submitter: starting runs is its role. */
const SUBMITTER = 'demo-submitter-key';

// Each restart opens PGlite from disk again and the runs catch up; the budget is for a loaded machine.
jest.setTimeout(600_000);

interface Reply {
  status: number;
  body: any;
}

function call(port: number, method: string, path: string, body?: unknown, timeoutMs = 30_000, key = OPERATOR): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

describe('the embedded engine killed mid-load (SIGKILL, three times)', () => {
  let dataDir: string;
  let port: number;
  let engine: ChildProcess | null = null;
  let output = '';

  beforeAll(async () => {
    // A build of its own: other suites running beside this one rebuild or run dist/.
    const built = spawnSync(process.execPath, [join(ROOT, 'tools', 'build.mjs'), '--out', BUILD], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    dataDir = mkdtempSync(join(tmpdir(), 'baton-crash-'));
    port = await freePort();
  });

  afterAll(() => {
    if (engine?.pid) killGroup(engine.pid);
    rmSync(dataDir, { recursive: true, force: true });
  });

  function killGroup(pid: number): void {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Starts the engine as `npm start` does (its own process group) and waits until it is ready. */
  async function start(): Promise<void> {
    engine = spawn(process.execPath, [join(ROOT, BUILD, 'apps', 'standalone', 'src', 'main.js')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A short limit, so a run the crash left behind would be on the stuck list within the test.
      env: {
        ...process.env,
        BATON_DATA_DIR: dataDir,
        BATON_HTTP_PORT: String(port),
        BATON_HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        BATON_STUCK_AFTER: '5s',
      },
    });
    engine.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    engine.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    let alive = true;
    const exited = new Promise<never>((_, reject) =>
      engine!.once('exit', (code, signal) => {
        alive = false;
        reject(new Error(`engine exited (${code ?? signal}) before it was ready:\n${output}`));
      }),
    );
    const ready = (async () => {
      // Stops asking once the engine is gone, so a failed start leaves nothing running.
      while (alive) {
        const reply = await call(port, 'GET', '/ready', undefined, 2000).catch(() => null);
        if (reply?.status === 200) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    await Promise.race([ready, exited]);
    // Once ready, its exit (the kill to come) is expected, not a failure.
    exited.catch(() => undefined);
  }

  /** Kills the engine's whole process group at once, as a crash or an OOM kill would. */
  async function kill(): Promise<void> {
    const current = engine!;
    const gone = new Promise((resolve) => current.once('exit', resolve));
    killGroup(current.pid!);
    await gone;
    engine = null;
  }

  it('completes every accepted run, refunds each exactly once and leaves nothing stuck', async () => {
    /** run id -> the refund reason that identifies its refund at billing */
    const accepted = new Map<string, string>();
    const killedAfterMs: number[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      await start();
      let next = 0;
      const send = async (): Promise<void> => {
        while (next < RUNS_PER_ROUND) {
          const i = next++;
          const reason = `crash test ${round}-${i}`;
          const reply = await call(
            port,
            'POST',
            '/workflows/refund-request/runs',
            { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 10 + (i % 400), reason } },
            30_000,
            SUBMITTER,
          ).catch(() => null);
          if (reply && reply.status >= 200 && reply.status < 300) accepted.set(reply.body.runId, reason);
        }
      };
      const senders = Array.from({ length: CONCURRENCY }, () => send());
      // Anywhere from the first requests to past the last of the round.
      const delay = Math.round(50 + Math.random() * 1500);
      killedAfterMs.push(delay);
      await new Promise((r) => setTimeout(r, delay));
      await kill();
      await Promise.all(senders);
    }

    await start();
    const pending = new Set(accepted.keys());
    const deadline = Date.now() + 300_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const runId of [...pending].slice(0, 200)) {
        const reply = await call(port, 'GET', `/runs/${runId}`);
        if (reply.status === 200 && reply.body.state === 'completed') pending.delete(runId);
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    const states = new Map<string, number>();
    for (const runId of pending) {
      const state = (await call(port, 'GET', `/runs/${runId}`)).body.state ?? 'missing';
      states.set(state, (states.get(state) ?? 0) + 1);
    }
    expect({ killedAfterMs, accepted: accepted.size, notCompleted: Object.fromEntries(states) }).toEqual({
      killedAfterMs,
      accepted: accepted.size,
      notCompleted: {},
    });
    expect(accepted.size).toBeGreaterThan(0);

    const billing = (await call(port, 'GET', '/samples/billing')).body;
    const refundsByReason = new Map<string, number>();
    for (const refund of Object.values(billing.data.refunds) as Array<{ reason: string }>) {
      if (refund.reason.startsWith('crash test ')) refundsByReason.set(refund.reason, (refundsByReason.get(refund.reason) ?? 0) + 1);
    }
    const notOnce = [...accepted.values()].filter((reason) => refundsByReason.get(reason) !== 1);
    expect(notOnce).toEqual([]);
    // Runs whose 2xx never reached the client may have completed too, but none refunded twice.
    expect([...refundsByReason].filter(([, n]) => n > 1)).toEqual([]);

    // Past the stuck limit (5 s here) after the last transition: a run the crashes left behind would show.
    await new Promise((r) => setTimeout(r, 6000));
    const stuck = await call(port, 'GET', '/stuck-runs');
    expect(stuck).toMatchObject({ status: 200, body: { runs: [] } });
  });
});
