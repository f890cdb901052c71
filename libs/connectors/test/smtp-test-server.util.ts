import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** One message the SMTP test server accepted. */
export interface ReceivedMessage {
  readonly from: string | null;
  readonly to: string[];
  /** The message exactly as sent after DATA: headers, blank line, body. */
  readonly raw: string;
}

/** The smtp-server.process.mjs child process, started by a test and stopped by it. */
export interface SmtpTestServer {
  readonly port: number;
  messages(): ReceivedMessage[];
  stop(): Promise<void>;
}

const SCRIPT = join(__dirname, 'smtp-server.process.mjs');

export async function startSmtpTestServer(): Promise<SmtpTestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-smtp-'));
  const log = join(dir, 'messages.jsonl');
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, SMTP_MESSAGE_LOG: log },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('SMTP test server did not start within 10 s')), 10_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`SMTP test server exited with ${code} before listening`));
    });
  });
  return {
    port,
    messages() {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ReceivedMessage);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // Closing stdin is the server's signal to stop (see the script).
        child.stdin!.end();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
