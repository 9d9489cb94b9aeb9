import { describeKafkaError } from '@streamforge/kafka';
import type { WorkerRuntime } from './worker-runtime';

/**
 * Starts listening for this queue's `stop` beside the work, never rejecting: a listener that fails
 * (its group join, a broker hiccup) is logged at error level with `consequence`, and the work goes
 * on — losing stop commands must not lose a load. A rejection left unhandled until the work ends
 * would kill the process mid-batch.
 */
export function listenForStop(runtime: Pick<WorkerRuntime, 'listen' | 'logger'>, onStop: (reason: string) => void, consequence: string): Promise<void> {
  return runtime
    .listen((command) => {
      if (command.command === 'stop') onStop('stopped by command');
    })
    .catch((error: unknown) => {
      runtime.logger.error({ err: describeKafkaError(error) }, `control listener failed: ${consequence}`);
    });
}
