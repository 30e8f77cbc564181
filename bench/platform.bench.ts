/**
 * HTTP platform benchmark: the same minimal Nest app (bench/platform-server.ts: one POST route,
 * ~300-byte JSON body in, small JSON out) on @nestjs/platform-express and @nestjs/platform-fastify,
 * each alone in a child process, under the same autocannon load. Rounds alternate the two.
 *
 *   node bench/platform.bench.ts [--duration 10] [--connections 50] [--warmup 2] [--rounds 3] [--noise-retries 2] [--no-write]
 *
 * Runs under Node's type stripping; the scaffolding shared with the other benchmarks is in bench/bench-support.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import {
  autocannonRun,
  commandLine,
  cpuSnapshot,
  cpuUse,
  fmt,
  freePort,
  loadFigures,
  loadOptions,
  loadSettings,
  machine,
  median,
  otherCpus as otherLoad,
  perRequestUs,
  publish,
  quietest,
  ROOT,
  sleep,
  start,
  stop,
  usage,
  waitReady,
} from './bench-support.ts';

const SERVER = path.join(ROOT, 'bench/platform-server.ts');
const SECTION = '## HTTP platform (npm run bench:platform)';
const NOISY_OTHER_CPUS = 0.25;

// One HubSpot newMessage event, as the webhook receives it (~300 bytes).
const BODY = JSON.stringify([
  {
    eventId: 1,
    subscriptionId: 1,
    portalId: 22761544,
    appId: 1,
    occurredAt: 1670383777358,
    subscriptionType: 'conversation.newMessage',
    attemptNumber: 0,
    objectId: 3624100517,
    messageId: 'e835c5f42631462ea4447601c8e1e394',
    messageType: 'MESSAGE',
    changeFlag: 'NEW_MESSAGE',
  },
]);

const { values: args } = parseArgs({ options: loadOptions('3') });
const { duration, connections, warmup, rounds, noiseRetries } = loadSettings(args, usage('platform bench'));

type Platform = 'express' | 'fastify';

interface RunResult {
  platform: Platform;
  round: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  serverCpuUs: number | undefined;
  otherCpus: number | undefined;
}

function load(port: number, seconds: number): Promise<autocannon.Result> {
  return autocannonRun(`http://127.0.0.1:${port}/webhooks/hubspot`, connections, seconds, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
  });
}

async function runOne(platform: Platform, round: number): Promise<RunResult> {
  const port = await freePort();
  const server = start(
    process.execPath,
    ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', SERVER, platform],
    { ...process.env, PORT: String(port), NODE_ENV: 'production' },
    '/dev/null',
  );
  const child = server.child;
  try {
    await waitReady(port, `${platform} server`, server, '/', (s) => s > 0);
    if (warmup > 0) await load(port, warmup);
    await sleep(300);
    const before = cpuSnapshot({ server: child.pid });
    const r = await load(port, duration);
    const cpu = cpuUse(before, cpuSnapshot({ server: child.pid }));
    const serverMs = cpu.ms.server;
    const answered = r['2xx'] + r.non2xx;
    const otherCpus = serverMs === undefined ? undefined : otherLoad(cpu.busyMs, serverMs + cpu.selfMs, cpu.wallMs);
    const result: RunResult = {
      platform,
      round,
      ...loadFigures(r),
      serverCpuUs: perRequestUs(serverMs, answered),
      otherCpus,
    };
    console.log(
      `  ${platform} #${round}: ${result.reqPerSec.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ` +
        `${r.non2xx} non-2xx, ${r.errors} errors; server CPU ${fmt(result.serverCpuUs)} µs/request; ` +
        `other processes used ${fmt(otherCpus, 2)} CPUs`,
    );
    return result;
  } finally {
    await stop(child);
  }
}

function version(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const host = machine(false);
  const command = commandLine(process.cwd());
  const versions =
    `@nestjs/core ${version('@nestjs/core')}, @nestjs/platform-express ${version('@nestjs/platform-express')} ` +
    `(express ${version('express')}), @nestjs/platform-fastify ${version('@nestjs/platform-fastify')} (fastify ${version('fastify')})`;
  console.log(`machine: ${host}\ncommand: ${command}\n${versions}`);

  const results: RunResult[] = [];
  const discarded: RunResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first, so a drift in background load does not always favour the same one.
    const order: Platform[] = round % 2 ? ['express', 'fastify'] : ['fastify', 'express'];
    for (const platform of order) {
      // The machine is shared: a run during which other work took CPU is repeated, quietest kept.
      const best = await quietest(
        () => runOne(platform, round),
        noiseRetries,
        NOISY_OTHER_CPUS,
        `${platform} #${round}`,
        (_keep, drop) => discarded.push(drop),
      );
      results.push(best);
    }
  }

  const of = (p: Platform) => results.filter((r) => r.platform === p);
  const summary = (p: Platform) => ({
    reqPerSec: median(of(p).map((r) => r.reqPerSec)),
    p99: median(of(p).map((r) => r.p99)),
    cpu: median(of(p).flatMap((r) => (r.serverCpuUs === undefined ? [] : [r.serverCpuUs]))),
  });
  const ex = summary('express');
  const fa = summary('fastify');
  const ratios = of('fastify').map((f) => f.reqPerSec / of('express').find((e) => e.round === f.round)!.reqPerSec);
  const ratio = median(ratios);
  // Errors of a discarded (noisy) attempt still count.
  const failed = [...results, ...discarded].filter((r) => r.non2xx > 0 || r.errors > 0);
  const noisy = results.filter((r) => (r.otherCpus ?? 0) > NOISY_OTHER_CPUS);
  const winner = ratio >= 1 ? 'fastify' : 'express';

  const lines = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${host}`,
    `- command: \`${command}\``,
    `- versions: ${versions}`,
    `- app: bench/platform-server.ts — one Nest POST route, \`@Body()\` of a ${Buffer.byteLength(BODY)}-byte JSON array in, ` +
      `small JSON out, \`logger: false\`, each platform's default JSON body parser; one server at a time, child process`,
    `- load: autocannon, ${connections} connections, pipelining 1, ${warmup} s warm-up then ${duration} s measured, ${rounds} round(s), order alternating; ` +
      `a run during which other processes used > ${NOISY_OTHER_CPUS} CPUs is repeated (up to ${noiseRetries} times) and the quietest attempt kept`,
    '',
    '| platform | run | req/s (mean) | p50 (ms) | p99 (ms) | max (ms) | non-2xx | errors | server CPU µs/req | other load (CPUs) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.platform} | #${r.round} | ${r.reqPerSec.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} | ${fmt(r.serverCpuUs)} | ${fmt(r.otherCpus, 2)} |`,
    ),
    '',
    `- medians: express ${ex.reqPerSec.toFixed(0)} req/s, p99 ${ex.p99} ms, ${ex.cpu.toFixed(0)} µs CPU/req; ` +
      `fastify ${fa.reqPerSec.toFixed(0)} req/s, p99 ${fa.p99} ms, ${fa.cpu.toFixed(0)} µs CPU/req`,
    `- ratio fastify/express req/s: **${ratio.toFixed(2)}** (median of ${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
      `CPU per request fastify/express: ${(fa.cpu / ex.cpu).toFixed(2)}; faster here: **${winner}**`,
    failed.length === 0
      ? '- correctness: no errors, no non-2xx'
      : `- correctness: **FAILED** — ${failed.map((r) => `${r.platform} #${r.round}: ${r.non2xx} non-2xx, ${r.errors} errors`).join('; ')}`,
    noisy.length === 0
      ? `- noise: other processes used at most ${Math.max(...results.map((r) => r.otherCpus ?? 0)).toFixed(2)} CPUs during the measured runs`
      : `- noise: **${noisy.map((r) => `${r.platform} #${r.round}`).join(', ')} shared the machine with other work ` +
        `(> ${NOISY_OTHER_CPUS} CPUs busy outside the benchmark)**`,
  ];
  console.log(`\n${lines.join('\n')}`);
  if (failed.length > 0)
    console.error('\n!!!!!!!!!! PLATFORM BENCHMARK RUN HAD ERRORS — figures are not valid !!!!!!!!!!');
  publish(SECTION, lines, args['no-write']);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
