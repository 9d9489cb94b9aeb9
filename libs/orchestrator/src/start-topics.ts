import type { TopicSpec } from '@streamforge/kafka';
import { deadLetterTopicOf } from './queue-retention';
import type { QueuePlan } from './start-plan';
import { REPLICATED_TARGET } from './target-instances';

/**
 * Partitions of a new data topic: DATA_TOPIC_PARTITIONS, raised to twice the sink replicas reading it
 * so each replica has work and a replacement or a KEDA-added instance still gets a share (a topic's
 * partitions cannot grow later without moving keys between them).
 */
export function dataTopicPartitions(configured: number, sinkReplicas: number): number {
  return sinkReplicas > 1 ? Math.max(configured, 2 * sinkReplicas) : configured;
}

/**
 * The topics a start creates: each data topic, and the sinks' dead-letter topics (only queue-manager
 * may create topics: the workers' Kafka users cannot).
 */
export function startTopicsFor(plan: QueuePlan, configuredPartitions: number): TopicSpec[] {
  const replicasByTopic = new Map<string, number>();
  for (const target of plan.targets) {
    const replicas = target.target === REPLICATED_TARGET ? target.instances.length : 1;
    replicasByTopic.set(target.kafkaTopic, Math.max(replicasByTopic.get(target.kafkaTopic) ?? 1, replicas));
  }
  const dataTopics = [...replicasByTopic].map(([topic, replicas]) => ({ topic, numPartitions: dataTopicPartitions(configuredPartitions, replicas) }));
  const deadLetterTopics = [...new Set(plan.targets.map((t) => deadLetterTopicOf({ target: t.target, kafka_topic: t.kafkaTopic })).filter((t): t is string => t !== undefined))];
  return [...dataTopics, ...deadLetterTopics.map((topic) => ({ topic }))];
}
