/**
 * Drives one inspector page in Chromium: delivers host messages, reads what the page posted, and reads what it
 * shows (text through locators, pixels and timings through the harness script).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { InspectResult } from '../../src/engine/inspect/types';
import type { FromWebview, TensorInfo, ToWebview } from '../../src/shared/protocol';
import { channelWindow, encodeResult } from '../../src/shared/resultWire';
import type { Fixture } from './makeFixtures';
import { THEMES, type Theme } from './themes';

interface GridState {
  busy: string | null;
  rows: number;
}

/** The channel grid as the task handling a result left it, before and after a key pressed in it (see keyInGridOnArrival). */
export interface GridAtArrival {
  before: GridState;
  after: GridState;
  focused: string | null;
}

interface HarnessApi {
  posted: FromWebview[];
  violations: { directive: string; blocked: string; sample: string }[];
  deliver(m: unknown): void;
  ink(selector: string): number;
  backgroundPixel(selector: string): string;
  resolveColor(css: string): string;
  computedColor(selector: string): string;
  cells(selector: string): string[][];
  keyedCells(selector: string): Record<string, string>;
  activeAttribute(name: string): string | null;
  setTheme(bodyClass: string, vars: Record<string, string>): void;
  moveSlider(selector: string, values: number[]): number[];
  keyInGridOnArrival(key: string): void;
  gridAtArrival(): GridAtArrival | null;
  markTabStops(): string[];
  activeTabStop(): string | null;
  injectInlineScript(): void;
  inlineRan(): boolean;
  throwLater(message: string): void;
}
type Fn = { [K in keyof HarnessApi]: HarnessApi[K] extends (...a: never[]) => unknown ? K : never }[keyof HarnessApi];

export type Posted<T extends FromWebview['type']> = Extract<FromWebview, { type: T }>;

export class InspectorPage {
  readonly pageErrors: string[] = [];
  readonly dialogs: string[] = [];

  private constructor(readonly page: Page, private readonly context: BrowserContext) {
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
    page.on('dialog', (d) => {
      this.dialogs.push(d.message());
      void d.dismiss();
    });
  }

  static async open(browser: Browser, url: string, theme: Theme = THEMES[1]): Promise<InspectorPage> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1 });
    const p = new InspectorPage(await context.newPage(), context);
    await p.page.goto(url);
    await p.waitPosted('ready');
    await p.setTheme(theme);
    return p;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  call<K extends Fn>(name: K, ...args: Parameters<HarnessApi[K]>): Promise<ReturnType<HarnessApi[K]>> {
    return this.page.evaluate(([n, a]) => {
      const h = (globalThis as unknown as { __harness: Record<string, (...x: unknown[]) => unknown> }).__harness;
      return h[n](...a);
    }, [name, args] as [string, unknown[]]) as Promise<ReturnType<HarnessApi[K]>>;
  }

  async posted(): Promise<FromWebview[]> {
    return this.page.evaluate(() => (globalThis as unknown as { __harness: HarnessApi }).__harness.posted);
  }

  async violations(): Promise<HarnessApi['violations']> {
    return this.page.evaluate(() => (globalThis as unknown as { __harness: HarnessApi }).__harness.violations);
  }

  async count<T extends FromWebview['type']>(type: T): Promise<number> {
    return (await this.posted()).filter((m) => m.type === type).length;
  }

  /** Waits until at least `n` messages of `type` were posted and returns the n-th. */
  async waitPosted<T extends FromWebview['type']>(type: T, n = 1): Promise<Posted<T>> {
    for (let i = 0; i < 250; i++) {
      const found = (await this.posted()).filter((m): m is Posted<T> => m.type === type);
      if (found.length >= n) return found[n - 1];
      await this.page.waitForTimeout(20);
    }
    throw new Error(`the page did not post ${n} '${type}' message(s); it posted ${JSON.stringify((await this.posted()).map((m) => m.type))}`);
  }

  async deliver(m: ToWebview): Promise<void> {
    await this.call('deliver', m);
  }

  /**
   * Answers request `requestId` with `result` as the host does: the window from `firstChannel`, encoded; `partial`
   * for pass 1's preview.
   */
  async deliverResult(requestId: number, tensor: TensorInfo, result: InspectResult, firstChannel = 0, partial = false): Promise<void> {
    await this.deliver({ type: 'result', requestId, tensor, result: encodeResult(result, channelWindow(result.channels, firstChannel)), partial });
  }

  /** Delivers the fixture's init, answers the compute it triggers with the fixture's result, and waits for the charts and every row. */
  async show(f: Fixture): Promise<number> {
    const before = await this.count('compute');
    await this.deliver(f.init);
    const compute = await this.waitPosted('compute', before + 1);
    if (!f.result) throw new Error('fixture has no result');
    await this.deliverResult(compute.requestId, f.tensor, f.result);
    await this.page.locator('#summary-table, #empty').first().waitFor();
    await this.gridComplete();
    return compute.requestId;
  }

  /** Waits until the channel grid holds every row: those past the first screenful are added after a frame. */
  async gridComplete(): Promise<void> {
    await this.page.locator('#channel-grid[aria-busy="true"]').waitFor({ state: 'detached' });
  }

  async setTheme(theme: Theme): Promise<void> {
    await this.call('setTheme', theme.bodyClass, theme.vars);
  }

  async text(selector: string): Promise<string> {
    return ((await this.page.locator(selector).first().textContent()) ?? '').trim();
  }

  /** The rows of a figure's data table (opened if needed), as text cells. */
  async figureTable(figureId: string): Promise<string[][]> {
    const details = this.page.locator(`#${figureId} details`);
    if ((await details.getAttribute('open')) === null) {
      await details.locator('summary').click();
      // the table is rendered on the (asynchronous) toggle event
      await this.page.locator(`#${figureId} details table`).waitFor({ state: 'attached' });
    }
    return this.call('cells', `#${figureId} details tbody tr`);
  }

  /** The channel grid's cells by column key, for the row of `channel`. */
  async gridRow(channel: number): Promise<Record<string, string>> {
    await this.gridComplete();
    return this.call('keyedCells', `#channel-grid tr[data-channel="${channel}"]`);
  }

  async selectedChannel(): Promise<number> {
    return Number(await this.page.locator('#channel-grid tr[aria-selected="true"]').getAttribute('data-channel'));
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, fullPage: true });
  }
}
