import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  assertBrokerReachable,
  brokersFromEnv,
  CLUSTER_PROCESSES,
  freePort,
  quietKafkajsTimeoutWarning,
  SERVICES,
  STAGE_SERVICES,
  workspaceRoot,
} from '../cluster';

const ROOT = resolve(__dirname, '../../../../..');

/** True while the process exists and is not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z/.test(stat);
}

describe('cluster harness, what needs no cluster', () => {
  describe(workspaceRoot.name, () => {
    it('finds the folder holding nx.json and package.json above a nested folder', () => {
      expect(workspaceRoot(__dirname)).toBe(ROOT);
      expect(existsSync(join(ROOT, 'nx.json'))).toBe(true);
    });

    it('says where it looked when no workspace is above', () => {
      const outside = mkdtempSync(join(tmpdir(), 'baton-no-workspace-'));
      try {
        mkdirSync(join(outside, 'a', 'b'), { recursive: true });
        expect(() => workspaceRoot(join(outside, 'a', 'b'))).toThrow(`no workspace root (nx.json) above ${join(outside, 'a', 'b')}`);
      } finally {
        rmSync(outside, { recursive: true, force: true });
      }
    });
  });

  describe(freePort.name, () => {
    it('gives a port that can be listened on at once', async () => {
      const port = await freePort();
      expect(port).toBeGreaterThan(0);
      expect(port).toBeLessThan(65_536);
      const server = createServer();
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(port, '127.0.0.1', done);
      });
      await new Promise((done) => server.close(done));
    });
  });

  describe(brokersFromEnv.name, () => {
    it('defaults to the broker tools/kafka/kafka.sh starts', () => {
      expect(brokersFromEnv({})).toEqual(['127.0.0.1:9092']);
    });

    it('splits KAFKA_BROKERS on commas, trimming spaces and dropping empty entries', () => {
      expect(brokersFromEnv({ KAFKA_BROKERS: ' a:9092, b:9093 ,,c:9094,' })).toEqual(['a:9092', 'b:9093', 'c:9094']);
    });
  });

  describe(assertBrokerReachable.name, () => {
    it('fails saying where it looked and how to start a broker, rather than skipping', async () => {
      const port = await freePort();
      await expect(assertBrokerReachable([`127.0.0.1:${port}`])).rejects.toThrow(
        `Kafka unreachable at 127.0.0.1:${port} (start it with tools/kafka/kafka.sh start, or set KAFKA_BROKERS)`,
      );
    });
  });

  describe(quietKafkajsTimeoutWarning.name, () => {
    it('hides kafkajs TimeoutNegativeWarning and hands every other warning to the listeners there were', () => {
      const before = process.listeners('warning');
      const seen: string[] = [];
      const listener = (warning: Error) => void seen.push(warning.name);
      process.on('warning', listener);
      try {
        quietKafkajsTimeoutWarning();
        quietKafkajsTimeoutWarning();
        const negative = Object.assign(new Error('-1 is a negative number'), { name: 'TimeoutNegativeWarning' });
        const other = Object.assign(new Error('something else'), { name: 'DeprecationWarning' });
        process.emit('warning', negative);
        process.emit('warning', other);
        expect(seen).toEqual(['DeprecationWarning']);
      } finally {
        process.removeAllListeners('warning');
        for (const l of before) process.on('warning', l);
      }
    });
  });

  it('starts the sample systems before the services, and the stage services are the pipeline in order', () => {
    expect(CLUSTER_PROCESSES).toEqual(['sample-systems', ...SERVICES]);
    expect(STAGE_SERVICES).toEqual(['ingestion', 'enrichment', 'decisioning', 'action', 'verification']);
    expect(SERVICES).toEqual([...STAGE_SERVICES, 'reconciliation']);
  });

  it('preloads a process with exit-with-parent.cjs so it ends itself once its parent has gone', async () => {
    const preload = join(ROOT, 'libs/testing/cluster/src/exit-with-parent.cjs');
    // The parent starts a child with the preload, waits until the child runs (the preload has
    // noted its parent by then), prints its pid and exits: the child is orphaned.
    const parent = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-r', ${JSON.stringify(preload)}, '-e', 'process.stdout.write("up"); setInterval(() ' +
        '=> {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
      child.stdout.once('data', () => {
        process.stdout.write(String(child.pid));
        process.exit(0);
      });
    `;
    const result = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8' });
    const pid = Number(result.stdout);
    expect(pid).toBeGreaterThan(0);
    try {
      const deadline = Date.now() + 5_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
      expect(alive(pid)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
