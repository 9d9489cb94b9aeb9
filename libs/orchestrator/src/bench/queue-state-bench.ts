// How many telemetry events per second queue-manager's state path applies (reducer + SQLite
// read-modify-write per event), without Kafka: npm run bench:queue-state [events] [queues]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@streamforge/logging';
import type { TelemetryEvent } from '@streamforge/schemas';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { newQueueState } from '../queue-state-reducer';
import { QueueStateRepository } from '../queue-state-repository';
import { QueueService } from '../queue-service';
import { planStart } from '../start-plan';

async function main(): Promise<void> {
  const events = Number(process.argv[2] ?? 20_000);
  const queues = Number(process.argv[3] ?? 10);
  const path = join(mkdtempSync(join(tmpdir(), 'queue-state-bench-')), 'bench.db');
  const store = createSqliteDocumentStore({ path });
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const repository = new QueueStateRepository(store, logger);
  await repository.init();
  const plans = Array.from({ length: queues }, () => planStart({ symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' }));
  for (const plan of plans) await repository.create(newQueueState(plan, Date.now() / 1000));
  const service = new QueueService({ dataTopicPartitions: 1, stopRepeatMs: 1000, stopGraceMs: 1000, exitEventGraceMs: 1000, maxRunningQueues: 100, maxConcurrentStarts: 4, startKafkaTimeoutMs: 5000 }, { repository, logger } as never);
  const started = process.hrtime.bigint();
  const base = Date.now() / 1000;
  // Queues progress side by side, as they would on queue-events (each queue's events in order).
  await Promise.all(
    plans.map(async (plan, q) => {
      for (let i = 0; i < events / queues; i += 1) {
        const target = plan.targets[i % 2];
        const event: TelemetryEvent = {
          queue_id: plan.queueId, producer: target.telemetryId, symbol: 'BTCUSDT', type: 'api_candles_1m', status: 'loading', event: 'loading',
          message: 'loading', records_written: i, finished: false, timestamp: base + i / 1000 + q / 1e6,
        };
        await service.handleEvent(event);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${events} events over ${queues} queues applied in ${seconds.toFixed(2)} s: ${Math.round(events / seconds)} events/s (SQLite ${path}), peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`);
  service.close();
  await store.close();
}

void main();
