/**
 * The dependency storms of a chaos run, each opened once the run has settled a given share of its events
 * (so they land mid-run whatever the machine's speed) and closed after a fixed time:
 * a DLQ outage (SendMessage to the DLQ fails), a Secrets Manager outage, and a key rotation.
 */
import type { InjectedFailure } from '../sim/aws/sqsStandIn.ts';
import type { ErasureWorld } from '../sim/erasureWorld.ts';

export interface ChaosWindowPlan {
  /** Share of events settled (0–1) at which each window opens. */
  dlqOutageAt: number;
  secretsOutageAt: number;
  keyRotationAt: number;
  dlqOutageMs: number;
  secretsOutageMs: number;
  secretsOutageMode: 'error' | 'reset';
  rotatedSecretKey: string;
}

/** When a window was open, relative to the start of the drain, and what it did. */
export interface WindowReport {
  openedAtMs?: number;
  closedAtMs?: number;
  /** DLQ: SendMessage calls failed; secrets: GetSecretValue requests refused; rotation: unused. */
  hits: number;
}

export interface ChaosWindowsReport {
  dlqOutage: WindowReport;
  secretsOutage: WindowReport & { mode: 'error' | 'reset' };
  keyRotation: { atMs?: number; epochMs?: number };
}

export class ChaosWindows {
  readonly #world: ErasureWorld;
  readonly #plan: ChaosWindowPlan;
  readonly #startedAt: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #dlqFailure: InjectedFailure | undefined;
  #secretsRequestsAtOpen = 0;
  readonly report: ChaosWindowsReport;

  /**
   * @example
   * const windows = new ChaosWindows(world, plan, Date.now());
   * // after every invocation: windows.onProgress(settled / total);
   * windows.closeAll(); // at the end, whatever is still open
   */
  constructor(world: ErasureWorld, plan: ChaosWindowPlan, startedAt: number) {
    this.#world = world;
    this.#plan = plan;
    this.#startedAt = startedAt;
    this.report = {
      dlqOutage: { hits: 0 },
      secretsOutage: { hits: 0, mode: plan.secretsOutageMode },
      keyRotation: {},
    };
  }

  /** Opens every window whose share has been reached and that has not opened yet. */
  onProgress(settledShare: number): void {
    const plan = this.#plan;
    if (settledShare >= plan.dlqOutageAt && this.report.dlqOutage.openedAtMs === undefined)
      this.#openDlqOutage();
    if (settledShare >= plan.secretsOutageAt && this.report.secretsOutage.openedAtMs === undefined) {
      this.#openSecretsOutage();
    }
    if (settledShare >= plan.keyRotationAt && this.report.keyRotation.atMs === undefined) {
      this.#world.rotateKey(plan.rotatedSecretKey);
      this.report.keyRotation = { atMs: this.#elapsed(), epochMs: Date.now() };
    }
  }

  /** Closes what is still open and cancels pending closes. */
  closeAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#closeDlqOutage();
    this.#closeSecretsOutage();
  }

  #openDlqOutage(): void {
    const dlqUrl = this.#world.dlq.url;
    this.#dlqFailure = this.#world.sqs.injectFailure(
      ({ action, input }) => action === 'SendMessage' && input.QueueUrl === dlqUrl,
      { status: 500, code: 'InternalError', message: 'chaos: the DLQ is unavailable' },
    );
    this.report.dlqOutage.openedAtMs = this.#elapsed();
    this.#after(this.#plan.dlqOutageMs, () => this.#closeDlqOutage());
  }

  #closeDlqOutage(): void {
    if (this.#dlqFailure === undefined) return;
    this.report.dlqOutage.hits = this.#dlqFailure.hits;
    this.report.dlqOutage.closedAtMs = this.#elapsed();
    this.#dlqFailure.remove();
    this.#dlqFailure = undefined;
  }

  #openSecretsOutage(): void {
    this.#secretsRequestsAtOpen = this.#world.secrets.requestCount();
    this.#world.secrets.setOutage(true, this.#plan.secretsOutageMode);
    this.report.secretsOutage.openedAtMs = this.#elapsed();
    this.#after(this.#plan.secretsOutageMs, () => this.#closeSecretsOutage());
  }

  #closeSecretsOutage(): void {
    const report = this.report.secretsOutage;
    if (report.openedAtMs === undefined || report.closedAtMs !== undefined) return;
    this.#world.secrets.setOutage(false);
    report.hits = this.#world.secrets.requestCount() - this.#secretsRequestsAtOpen;
    report.closedAtMs = this.#elapsed();
  }

  #after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  #elapsed(): number {
    return Date.now() - this.#startedAt;
  }
}
