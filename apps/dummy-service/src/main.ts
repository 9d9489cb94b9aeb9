import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfigOrExit } from '@streamforge/config';
import { describeKafkaError } from '@streamforge/kafka';
import type { TelemetryStatus } from '@streamforge/schemas';
import { createMetricsRegistry } from '@streamforge/metrics';
import { onShutdownSignal, startWorkerRuntime, workerRuntimeConfig } from '@streamforge/worker';
import { dummyConfigSchema, dummyFlags } from './dummy-config';
import { createDummyMetrics } from './dummy-metrics';

async function main(): Promise<void> {
  const config = loadConfigOrExit(dummyConfigSchema, { flags: dummyFlags });
  // Commands are read from the runtime's start on: a late start makes a worker that missed them.
  if (config.startDelay > 0) await sleep(config.startDelay * 1000);
  const registry = createMetricsRegistry();
  const metrics = createDummyMetrics(registry);
  const runtime = await startWorkerRuntime(
    workerRuntimeConfig('dummy-service', config),
    { registry },
  );
  const { logger, telemetry } = runtime;
  const timers: NodeJS.Timeout[] = [];
  let ended = false;

  const send = async (status: TelemetryStatus, message: string, extra: { error_message?: string } = {}) => {
    await telemetry.send(status, { message, ...extra });
    metrics.recordEvent(status);
  };
  const end = async (status: 'finished' | 'interrupted' | 'error', message: string, exitCode: number) => {
    if (ended) return;
    ended = true;
    timers.forEach(clearTimeout);
    await send(status, message, status === 'error' ? { error_message: message } : {});
    await runtime.close();
    logger.info({ status, exitCode }, 'dummy-service exiting');
    process.exit(exitCode);
  };

  onShutdownSignal((signal) => void end('interrupted', `stopped by ${signal}`, 0));
  if (!config.noop) {
    await runtime.listen(
      async (command) => {
        if (command.command === 'stop') await end('interrupted', 'stopped by command', 0);
      },
      {
        onPing: () => metrics.pings.inc(),
        onPong: () => {
          metrics.pongs.inc();
          metrics.recordEvent('pong');
          if (config.exitOnPing) void end('finished', 'exiting after ping', 0);
        },
      },
    );
  }
  await send('started', 'dummy-service started');
  if (config.simulateLoading) {
    const interval = setInterval(() => void send('loading', 'simulated loading'), config.loadingInterval * 1000);
    timers.push(interval);
  }
  if (config.exitAfter) timers.push(setTimeout(() => void end('finished', `finished after ${config.exitAfter} s`, 0), config.exitAfter * 1000));
  if (config.failAfter) timers.push(setTimeout(() => void end('error', `simulated failure after ${config.failAfter} s`, 1), config.failAfter * 1000));
  if (config.noop && !config.exitAfter && !config.failAfter) {
    await runtime.close();
    process.exit(0);
  }
}

main().catch((error) => {
  process.stderr.write(`dummy-service failed: ${describeKafkaError(error)}\n`);
  process.exit(1);
});
