import type { WorkerSpec } from '@streamforge/launchers';
import type { QueuePlan, TargetPlan } from './start-plan';

/** The launcher's view of one planned worker: exactly the per-run env of docs/worker-job-shape.md. */
export function workerSpecFor(plan: QueuePlan, target: TargetPlan): WorkerSpec {
  const env: Record<string, string> = {
    QUEUE_ID: plan.queueId,
    SYMBOL: plan.symbol,
    TYPE: target.type,
    KAFKA_TOPIC: target.kafkaTopic,
    COLLECTION_NAME: target.collectionName,
    TIME_RANGE: target.timeRange,
  };
  if (target.interval !== null) env.INTERVAL = target.interval;
  if (target.indicators !== null) env.INDICATORS = target.indicators;
  env.TELEMETRY_PRODUCER_ID = target.telemetryId;
  return {
    queueId: plan.queueId,
    target: target.target,
    jobName: target.jobName,
    labels: target.labels,
    env,
    args: target.args,
  };
}
