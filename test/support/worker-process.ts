import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis-server';

const ROOT = join(__dirname, '..', '..');
/** The bundle `npm run build` produces (npm test builds first), run as `npm run start:worker` does. */
export const WORKER_BUNDLE = join(ROOT, 'dist/apps/worker/main.js');

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A test run that ends early (failure, timeout) must not leave workers reconnecting to a dead Redis forever.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** One JSON log line of the worker (pino). */
export type LogLine = Record<string, unknown> & { msg?: string };

/**
 * A real worker process (the built bundle) with its own health port. Tests kill it with SIGKILL
 * to simulate a crash: no shutdown hook runs, its BullMQ locks simply stop being renewed.
 */
export class WorkerProcess {
  private output = '';
  readonly exited: Promise<ProcessExit>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    live.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      }),
    );
  }

  /** Spawns the worker with exactly `env` (nothing from the developer's shell) and waits until it is ready. */
  static async start(name: string, env: Record<string, string>, readyTimeoutMs = 20_000): Promise<WorkerProcess> {
    if (!existsSync(WORKER_BUNDLE)) throw new Error(`${WORKER_BUNDLE} is missing: run npm run build first`);
    const port = await freePort();
    const child = spawn(process.execPath, [WORKER_BUNDLE], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env, WORKER_HTTP_PORT: String(port) },
      cwd: ROOT,
    });
    const worker = new WorkerProcess(name, child, port);
    await worker.waitReady(readyTimeoutMs);
    return worker;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process printed (stdout and stderr). */
  text(): string {
    return this.output;
  }

  /** The JSON log lines printed so far (anything else is skipped). */
  logs(): LogLine[] {
    return this.output.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
  }

  /** SIGKILL: a crash, nothing gets to clean up. */
  async crash(): Promise<ProcessExit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (graceful drain), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 5000): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`worker ${this.name} exited at boot:\n${this.output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/health/ready`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`worker ${this.name} not ready after ${timeoutMs} ms:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
