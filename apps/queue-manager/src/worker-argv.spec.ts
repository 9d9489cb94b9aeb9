import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import { buildWorkerJob, createLocalLauncher, IMAGE_WORKER_SCRIPT, type KubernetesJobConfig } from '@streamforge/launchers';
import { createLogger } from '@streamforge/logging';
import { flowToStartRequest, loadFlowCatalog, planStart, workerSpecFor } from '@streamforge/orchestrator';

/**
 * What a container runs: Kubernetes puts `command` in place of the image ENTRYPOINT and `args` in
 * place of its CMD. Our images have no ENTRYPOINT and CMD `node [node options] main.js`.
 */
function effectiveArgv(container: V1Container, imageCmd: string[]): string[] {
  if (container.command) return [...container.command, ...(container.args ?? [])];
  return container.args ?? imageCmd;
}

const jobConfig: KubernetesJobConfig = {
  namespace: 'stf', workerConfigMap: 'streamforge-worker-config', workerSecrets: { loader: 'streamforge-loader', sink: 'streamforge-sink', 'dummy-service': 'streamforge-dummy-service' }, nodeSelector: {},
  imageRegistry: 'registry.example.com', imageTag: 'v0.1.0', images: {}, backoffLimit: 0, ttlSecondsAfterFinished: 60, activeDeadlineSeconds: 600,
};

describe('a worker gets the same argv as a Kubernetes Job and as a local child process', () => {
  const catalog = loadFlowCatalog(join(__dirname, '..', 'flows.yaml'));
  const bundleRoot = mkdtempSync(join(tmpdir(), 'sf-argv-'));
  afterAll(() => rmSync(bundleRoot, { recursive: true, force: true }));

  it.each(Object.keys(catalog))('for every target of flow %s', async (flowName) => {
    // A live flow needs an open-ended range.
    const timeRange = catalog[flowName].targets.some((t) => t.target === 'loader-ws-candles') ? '2024-08-01:' : '2024-08-01:2024-08-01';
    const plan = planStart(flowToStartRequest(catalog, { flow_name: flowName, symbol: 'BTCUSDT', time_range: timeRange }));
    for (const target of plan.targets) {
      // A stand-in bundle that prints the node options and flags it was started with, then exits.
      mkdirSync(join(bundleRoot, 'apps', target.target), { recursive: true });
      writeFileSync(join(bundleRoot, 'apps', target.target, 'main.js'), 'console.log(JSON.stringify([...process.execArgv, require("node:path").basename(process.argv[1]), ...process.argv.slice(2)]));\n');
      const lines: string[] = [];
      let exited: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (exited = resolve));
      const launcher = createLocalLauncher(
        { bundleRoot, backoffLimit: 0, stopGraceMs: 1_000, baseEnv: { PATH: process.env.PATH } },
        { logger: createLogger({ service: 'test', level: 'error' }), output: (line) => lines.push(line), onExit: () => exited() },
      );
      const spec = workerSpecFor(plan, target);
      await launcher.launch(spec);
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`the ${target.target} stand-in did not exit within 20 s`)), 20_000))]);
      await launcher.close();
      const localArgv = JSON.parse(lines.find((line) => line.includes('['))!.slice(spec.jobName.length + 3)) as string[];

      const [container] = buildWorkerJob(spec, jobConfig).spec!.template.spec!.containers;
      const jobArgv = effectiveArgv(container, ['node', 'main.js']);
      expect(jobArgv[0]).toBe('node');
      expect(jobArgv.slice(1)).toEqual(localArgv.map((arg) => (arg === basename(IMAGE_WORKER_SCRIPT) ? IMAGE_WORKER_SCRIPT : arg)));
      expect(localArgv).toEqual(expect.arrayContaining(target.args));
    }
  });
});
