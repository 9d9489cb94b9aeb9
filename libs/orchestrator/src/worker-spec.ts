import type { WorkerSpec } from '@streamforge/launchers';
import type { QueuePlan, TargetPlan } from './start-plan';
import type { InstancePlan } from './target-instances';

/**
 * The launcher's view of one planned worker (one instance of a target): exactly the per-run env of
 * docs/worker-job-shape.md, plus LOAD_SPLIT for a loader split.
 */
export function workerSpecFor(plan: QueuePlan, target: TargetPlan, instance: InstancePlan = target.instances[0]): WorkerSpec {
  const env: Record<string, string> = {
    QUEUE_ID: plan.queueId,
    SYMBOL: plan.symbol,
    TYPE: target.type,
    KAFKA_TOPIC: target.kafkaTopic,
    COLLECTION_NAME: target.collectionName,
    TIME_RANGE: instance.timeRange,
  };
  if (target.interval !== null) env.INTERVAL = target.interval;
  if (target.indicators !== null) env.INDICATORS = target.indicators;
  if (instance.loadSplit !== null) env.LOAD_SPLIT = instance.loadSplit;
  env.TELEMETRY_PRODUCER_ID = instance.telemetryId;
  return {
    queueId: plan.queueId,
    target: target.target,
    jobName: instance.jobName,
    labels: target.labels,
    env,
    args: target.args,
  };
}

/** Every worker of a plan: one per instance of each target, in plan order. */
export function workerSpecsFor(plan: QueuePlan): WorkerSpec[] {
  return plan.targets.flatMap((target) => target.instances.map((instance) => workerSpecFor(plan, target, instance)));
}
