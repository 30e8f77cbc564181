/**
 * Scaffolding shared by the benchmark scripts in bench/: command-line checks, child processes and a
 * throwaway redis-server, CPU and noise figures from /proc, autocannon runs, percentiles, and the
 * machine/command description and section writer of docs/BENCHMARKS.md.
 *
 * Loaded two ways: by Node's type stripping (ingest.bench.ts, platform.bench.ts import `./bench-support.ts`)
 * and compiled to CommonJS by `tsc -p bench/tsconfig.json` (e2e.bench.ts; the `.ts` specifier is rewritten
 * to `.js` by rewriteRelativeImportExtensions). So: erasable TypeScript only, no `import.meta`, no
 * `__dirname`, no top-level await, and types imported with `import type` / `type`.
 *
 * Importing it finds the repository root from the running script (process.argv[1]) and registers the clean-up of the child processes started with `start` (killed when this
 * process exits; SIGINT/SIGTERM exit with 130).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';

// ------------------------------------------------------------------------------------------------ repository, api

/** The first folder at or above `from` that holds nest-cli.json: the repository root. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nest-cli.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

/** Found from the running script: bench/*.ts, or its build in .tools/bench-build/bench/. */
export const ROOT = findRoot(path.dirname(path.resolve(process.argv[1])));
export const REPORT = path.join(ROOT, 'docs/BENCHMARKS.md');
export const API_ENTRY = path.join(ROOT, 'dist/apps/api/main.js');

export const QUEUE = 'hubspot-events'; // libs/contracts/src/queues.ts
/** The worker's repeatable outcome job (libs/contracts/src/jobs.ts): one always waits as a delayed job. */
export const OUTCOME_SWEEP_JOB = 'outcomes.sweep';
export const SECRET = 'bench-client-secret-0123456789';
export const WEBHOOK_URL = 'https://hooks.bench.example/webhooks/hubspot';

/** The api's environment for a benchmark, besides NODE_ENV, REDIS_URL and LOG_LEVEL. */
export function apiEnv(port: number): NodeJS.ProcessEnv {
  return {
    PORT: String(port),
    HUBSPOT_CLIENT_SECRET: SECRET,
    HUBSPOT_WEBHOOK_URL: WEBHOOK_URL,
    BULL_BOARD_USER: 'bench',
    BULL_BOARD_PASSWORD: 'bench-password-0123',
  };
}

// ------------------------------------------------------------------------------------------------ command line

export interface Usage {
  /** Prints `<bench>: message` and exits with code 2. */
  fail(message: string): never;
  /** `value` as an integer >= min, or fail naming `--name`. */
  int(name: string, value: string, min: number): number;
}

export function usage(bench: string): Usage {
  const fail = (message: string): never => {
    console.error(`${bench}: ${message}`);
    process.exit(2);
  };
  return {
    fail,
    int: (name, value, min) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`);
      return n;
    },
  };
}

/** The parseArgs options of an autocannon benchmark (ingest, platform); spread into the script's own. */
export function loadOptions(rounds: string) {
  return {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: rounds },
    'noise-retries': { type: 'string', default: '2' },
    'no-write': { type: 'boolean', default: false },
  } as const;
}

export interface LoadSettings {
  duration: number;
  connections: number;
  warmup: number;
  rounds: number;
  noiseRetries: number;
}

export function loadSettings(
  values: { duration: string; connections: string; warmup: string; rounds: string; 'noise-retries': string },
  { int }: Usage,
): LoadSettings {
  return {
    duration: int('duration', values.duration, 1),
    connections: int('connections', values.connections, 1),
    warmup: Number(values.warmup),
    rounds: int('rounds', values.rounds, 1),
    noiseRetries: int('noise-retries', values['noise-retries'], 0),
  };
}

// ------------------------------------------------------------------------------------------------ processes

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface Child {
  child: ChildProcess;
  /** The last 4000 characters of its stderr. */
  stderr: () => string;
}

/** A child process with stdout to `stdoutFile`, killed when this process exits. */
export function start(command: string, argv: string[], env: NodeJS.ProcessEnv, stdoutFile: string): Child {
  const out = openSync(stdoutFile, 'w');
  const child = spawn(command, argv, { env, stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  return { child, stderr: () => stderr };
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Status of GET 127.0.0.1:port/urlPath; 0 when there is no answer within 1 s. */
export function httpStatus(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: urlPath, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Polls `urlPath` every 100 ms until `ready(status)`; fails if the child exits or after 30 s. */
export async function waitReady(
  port: number,
  what: string,
  c: Child,
  urlPath = '/health/ready',
  ready: (status: number) => boolean = (status) => status === 200,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (c.child.exitCode !== null)
      throw new Error(`${what} exited with code ${c.child.exitCode} before it was ready:\n${c.stderr()}`);
    if (ready(await httpStatus(port, urlPath))) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready within 30 s:\n${c.stderr()}`);
}

/**
 * A throwaway redis-server on a free port of 127.0.0.1 (no RDB snapshots), with `extraArgs`
 * (persistence, eviction, dir...); resolves once it answers.
 */
export async function startRedisServer(
  extraArgs: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; proc: Child; version: string }> {
  const port = await freePort();
  const proc = start(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...extraArgs],
    env,
    '/dev/null',
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`redis-server exited:\n${proc.stderr()}`);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const version = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? '?';
      probe.disconnect();
      return { url, proc, version };
    } catch {
      probe.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server not ready:\n${proc.stderr()}`);
      await sleep(100);
    }
  }
}

// ------------------------------------------------------------------------------------------------ CPU and noise

/** CPU time (user + system) of a process so far, ms, from /proc (Linux); undefined elsewhere. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 10 ms ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine so far, ms (all CPUs), from /proc/stat; undefined elsewhere. */
function machineBusyMs(): number | undefined {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot<K extends string> {
  /** CPU ms so far of each named process. */
  cpu: Record<K, number | undefined>;
  /** This process (the load generator / driver). */
  self: NodeJS.CpuUsage;
  machine: number | undefined;
  at: number;
}

/** CPU so far of the named processes, of this process and of the machine, read in that order, then the time. */
export function cpuSnapshot<K extends string>(pids: Record<K, number | undefined>): CpuSnapshot<K> {
  const cpu = {} as Record<K, number | undefined>;
  for (const key of Object.keys(pids) as K[]) cpu[key] = cpuMs(pids[key]);
  return { cpu, self: process.cpuUsage(), machine: machineBusyMs(), at: performance.now() };
}

const delta = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : b - a;

/** CPU ms used between two snapshots: by each named process, by this process, by the whole machine. */
export function cpuUse<K extends string>(
  before: CpuSnapshot<K>,
  after: CpuSnapshot<K>,
): { ms: Record<K, number | undefined>; selfMs: number; busyMs: number | undefined; wallMs: number } {
  const ms = {} as Record<K, number | undefined>;
  for (const key of Object.keys(before.cpu) as K[]) ms[key] = delta(before.cpu[key], after.cpu[key]);
  const selfMs = (after.self.user - before.self.user + (after.self.system - before.self.system)) / 1000;
  return { ms, selfMs, busyMs: delta(before.machine, after.machine), wallMs: after.at - before.at };
}

/** CPUs the rest of the machine (other tenants, builds...) used meanwhile: the noise gauge. */
export const otherCpus = (busyMs: number | undefined, oursMs: number, wallMs: number) =>
  busyMs === undefined ? undefined : Math.max(0, busyMs - oursMs) / wallMs;

export const perRequestUs = (ms: number | undefined, requests: number) =>
  ms === undefined || requests === 0 ? undefined : (ms * 1000) / requests;

/**
 * Runs `run`; while the run's other load exceeds `noisyCpus` and retries are left, runs it again and
 * keeps the quieter attempt (the machine is shared). `dropped` sees every discarded attempt.
 */
export async function quietest<T extends { otherCpus?: number }>(
  run: () => Promise<T>,
  retries: number,
  noisyCpus: number,
  label: string,
  dropped: (kept: T, drop: T) => void,
): Promise<T> {
  let best = await run();
  for (let retry = 1; retry <= retries && (best.otherCpus ?? 0) > noisyCpus; retry++) {
    console.log(`  (other load ${fmt(best.otherCpus, 2)} CPUs: running ${label} again)`);
    const again = await run();
    const [keep, drop] = (again.otherCpus ?? 0) < (best.otherCpus ?? 0) ? [again, best] : [best, again];
    dropped(keep, drop);
    best = keep;
  }
  return best;
}

// ------------------------------------------------------------------------------------------------ load

/** autocannon against 127.0.0.1: pipelining 1, 10 s request timeout, plus the request's own options. */
export function autocannonRun(
  url: string,
  connections: number,
  seconds: number,
  request: Partial<autocannon.Options> = {},
): Promise<autocannon.Result> {
  return autocannon({ url, connections, pipelining: 1, duration: seconds, timeout: 10, ...request });
}

/** The figures of an autocannon run that the tables show. */
export function loadFigures(r: autocannon.Result) {
  return {
    // Responses over the run's wall time. autocannon's requests.mean averages per-second samples and
    // sometimes counts a partial 11th second in a 10 s run, understating the rate by up to 10 %.
    reqPerSec: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

// ------------------------------------------------------------------------------------------------ statistics

export const fmt = (n: number | undefined, digits = 0) => (n === undefined ? 'n/a' : n.toFixed(digits));

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Redis commands per unit (turn, job) by command from `INFO commandstats`, most frequent first. Every entry
 * counts, so a Lua script is its EVALSHA plus the commands it ran; the bench's own commands (XREAD of
 * QueueEvents, CONFIG RESETSTAT, INFO) are left out.
 */
export function commandsPer(commandStats: string, units: number): [string, number][] {
  return [...commandStats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)]
    .map(([, name, calls]): [string, number] => [name, Number(calls) / units])
    .filter(([name]) => name !== 'xread' && !name.startsWith('config') && name !== 'info')
    .sort((a, b) => b[1] - a[1]);
}

// ------------------------------------------------------------------------------------------------ report

/** CPU model and count, memory, OS and Node version; with `withLoad`, the load average now. */
export function machine(withLoad: boolean): string {
  const cpus = os.cpus();
  const host =
    `${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length} logical CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}`;
  if (!withLoad) return host;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${host}; load average at start ${load}`;
}

/** How this run was started, the script path relative to `from`. */
export function commandLine(from: string): string {
  const direct = ['node', path.relative(from, process.argv[1]), ...process.argv.slice(2)].join(' ');
  const script = process.env.npm_lifecycle_event;
  return script ? `npm run ${script} (runs: ${direct})` : direct;
}

/** Replaces the `section` heading (`## …`) and its text up to the next `## ` in `report`, or appends it. */
function writeReport(report: string, section: string, lines: string[]): void {
  const text = [section, '', ...lines, ''].join('\n');
  let doc = existsSync(report)
    ? readFileSync(report, 'utf8')
    : '# Benchmarks\n\nFigures recorded by the scripts in bench/. Each section is rewritten by its script.\n';
  const startAt = doc.indexOf(`${section}\n`);
  if (startAt >= 0) {
    const next = doc.slice(startAt + section.length).search(/^## /m);
    const endAt = next >= 0 ? startAt + section.length + next : doc.length;
    doc = doc.slice(0, startAt) + text + (next >= 0 ? '\n' : '') + doc.slice(endAt);
  } else {
    doc = doc.replace(/\n*$/, '\n\n') + text;
  }
  mkdirSync(path.dirname(report), { recursive: true });
  writeFileSync(report, doc);
}

/** Writes `lines` as `section` of docs/BENCHMARKS.md unless `noWrite`, saying which. */
export function publish(section: string, lines: string[], noWrite: boolean): void {
  if (noWrite) console.log('\n(--no-write: docs/BENCHMARKS.md left unchanged)');
  else {
    writeReport(REPORT, section, lines);
    console.log(`\nwritten to ${path.relative(process.cwd(), REPORT)} (section "${section}")`);
  }
}
