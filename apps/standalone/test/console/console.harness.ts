import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConnectorError, ConnectorErrorCode, ConnectorRegistry, createSampleSystems, type SampleSystems } from '@baton/connectors';
import axe from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { StandaloneHarness, type HttpResult } from '../standalone.harness';

const ROOT = resolve(__dirname, '../../../..');
/** The tests' own build of the console (the test-console target makes it), apart from dist/. */
export const CONSOLE_DIR = join(ROOT, 'tmp/console-browser');
export const SCREENSHOTS_DIR = join(ROOT, 'tmp/console-screenshots');
/** Debian's chromium (tools/chromium/ensure-chromium.sh installs it); never a browser Playwright downloads. */
const CHROMIUM = process.env['BATON_CHROMIUM'] ?? '/usr/bin/chromium';

export const keys = {
  financeLead: 'demo-finance-lead-key',
  globexReviewer: 'demo-globex-reviewer-key',
  operator: 'demo-operator-key',
};

/** Switches for partial outages of billing's refunds: only the action fails, the lookups still answer. */
export interface Outages {
  /** issueRefund fails like a server error (transient: retried, then dead-lettered). */
  refundsDown: boolean;
  /** The next n issueRefund calls are refused as invalid (data: the run blocks). */
  refundsRefused: number;
}

function withOutages(): { systems: SampleSystems; outages: Outages } {
  const base = createSampleSystems();
  const outages: Outages = { refundsDown: false, refundsRefused: 0 };
  const registry = new ConnectorRegistry();
  for (const connector of base.registry.list()) {
    registry.register({
      name: connector.name,
      operations: connector.operations,
      call: async (operation, args, ctx) => {
        if (connector.name === 'billing' && operation === 'issueRefund') {
          if (outages.refundsDown)
            throw new ConnectorError(
              'billing',
              operation,
              'transient',
              ConnectorErrorCode.ServerError,
              'billing.issueRefund: server error (503)',
            );
          if (outages.refundsRefused > 0) {
            outages.refundsRefused--;
            throw new ConnectorError(
              'billing',
              operation,
              'data',
              ConnectorErrorCode.BadRequest,
              'billing.issueRefund: bad request (400): account is closed',
            );
          }
        }
        return connector.call(operation, args, ctx);
      },
    });
  }
  return { systems: { ...base, registry }, outages };
}

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * The standalone app listening on a free port of 127.0.0.1 and serving the built console, and
 * Debian's chromium driven by playwright-core with a fresh profile. Each page signs in on its
 * own (sessionStorage is per tab), so two people can be signed in side by side.
 */
export class ConsoleHarness {
  /** Uncaught errors in any page: a test ends by expecting none. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly sut: StandaloneHarness,
    readonly outages: Outages,
    readonly url: string,
    private readonly browser: BrowserContext,
    private readonly profile: string,
  ) {}

  static async start(): Promise<ConsoleHarness> {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
      throw new Error(
        `the console is not built (${CONSOLE_DIR}/index.html is missing): run node tools/build-console.mjs --out-dir ` +
          `tmp/console-browser first (the test-console target does)`,
      );
    }
    const { systems, outages } = withOutages();
    const sut = await StandaloneHarness.start({ systems, consoleDir: CONSOLE_DIR });
    await sut.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = sut.app.getHttpServer().address() as AddressInfo;
    const profile = mkdtempSync(join(tmpdir(), 'baton-console-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      // The console's CSP forbids inline scripts; axe-core is injected as one by the test only.
      bypassCSP: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    return new ConsoleHarness(sut, outages, `http://127.0.0.1:${port}`, browser, profile);
  }

  get systems(): SampleSystems {
    return this.sut.systems;
  }

  /** A new tab, signed in with `key` through the sign-in form; resolves on the first page. */
  async signIn(key: string): Promise<Page> {
    const page = await this.submitKey(key);
    await page.getByText('Signed in as').waitFor();
    return page;
  }

  /** A new tab on the sign-in form, `key` entered and sent; resolves once the form is sent. */
  async submitKey(key: string): Promise<Page> {
    const page = await this.browser.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(`${page.url()}: ${error.message}`));
    await page.goto(this.url);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }

  /** axe-core's violations on the page as it is now. */
  async axe(page: Page): Promise<AxeFinding[]> {
    await page.addScriptTag({ content: axe.source });
    return page.evaluate(async () => {
      // Runs in the page; the tests' TypeScript has no DOM types, hence globalThis.
      const page = globalThis as unknown as { axe: typeof axe; document: unknown };
      const result = await page.axe.run(page.document as never, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
      }));
    });
  }

  /** The violations axe rates serious or critical: none is acceptable. */
  async seriousViolations(page: Page): Promise<AxeFinding[]> {
    return (await this.axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  async screenshot(page: Page, name: string): Promise<void> {
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  }

  /** The API as a client sees it, with a key. */
  api(method: 'GET' | 'POST', url: string, key: string, body?: unknown): Promise<HttpResult> {
    return this.sut.http(method, url, body, { authorization: `Bearer ${key}` });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.sut.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}
