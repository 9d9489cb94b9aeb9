import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadConfig } from '@streamforge/config';
import { findObject, loadManifestFiles, type DataObject, type Workload } from './deploy-manifests';
import { DEPLOYABLE_APPS, WORKER_APPS, note, presentApps, readRepoFile, repoPath } from './repo';

const present = presentApps();
const files = loadManifestFiles();
const configMap = findObject<DataObject>(files, 'ConfigMap', 'streamforge-worker-config');
/** The ConfigMap plus the role Secret a pod's container gets through envFrom (secrets/streamforge-role-secrets.template.yaml). */
function sharedEnvOf(workload: Workload): Record<string, string> {
  const secretName = workload.spec.template.spec.containers[0].envFrom?.find((e) => e.secretRef)?.secretRef?.name ?? '?';
  return { ...configMap.data, ...findObject<DataObject>(files, 'Secret', secretName).stringData };
}
const roleSecretKeys = (workload: Workload): string[] => Object.keys(sharedEnvOf(workload)).filter((key) => !(key in (configMap.data ?? {})));
/** Per-run variables of the Job contract that a target has no use for. */
const PER_RUN_NOT_READ: Record<string, string[]> = {
  'loader-api-candles': ['COLLECTION_NAME'],
  'loader-ws-candles': ['COLLECTION_NAME'],
  'arango-candles': ['INTERVAL'],
  'dummy-service': ['COLLECTION_NAME', 'INTERVAL'],
};

/** `it` for an app of this checkout; a skipped test naming the reason for an app still being written. */
function itForApp(app: string, title: string, test: () => void): void {
  if (present.includes(app)) {
    it(title, test);
  } else {
    note(`${title}: skipped, apps/${app} is not in this checkout yet`);
    it.skip(`${title} (skipped: apps/${app} not in this checkout yet)`, test);
  }
}

interface ZodObjectLike { shape: Record<string, unknown>; safeParse: (input: unknown) => unknown }
interface ZodSchemaLike { safeParse: (input: unknown) => unknown; shape?: Record<string, unknown>; in?: ZodSchemaLike; def?: { in?: ZodSchemaLike } }

/** The variables a schema reads: an object's shape, or the input object's shape of a transformed object. */
function shapeOf(schema: ZodSchemaLike): Record<string, unknown> | undefined {
  return schema.shape ?? (schema.in && shapeOf(schema.in)) ?? (schema.def?.in && shapeOf(schema.def.in));
}

/**
 * The app's configuration schema (`*ConfigSchema` exported from apps/<app>/src/*config.ts). Loaded by
 * path on purpose: a tool may not import apps, but this test exists to prove the manifests give each
 * app a configuration it accepts.
 */
function appConfigSchema(app: string): ZodObjectLike {
  const dir = repoPath('apps', app, 'src');
  const schemas = readdirSync(dir)
    .filter((name) => /config\.ts$/.test(name) && !name.endsWith('.spec.ts'))
    .flatMap((name) => Object.entries(require(`${dir}/${name}`) as Record<string, unknown>))
    .filter(([exported, value]) => exported.endsWith('ConfigSchema') && typeof (value as ZodSchemaLike)?.safeParse === 'function')
    .map(([, value]) => value as ZodSchemaLike);
  if (schemas.length !== 1) throw new Error(`apps/${app}/src: expected one exported *ConfigSchema in a *config.ts file, found ${schemas.length}`);
  const shape = shapeOf(schemas[0]);
  if (!shape) throw new Error(`apps/${app}/src: its *ConfigSchema is neither a zod object nor a transformed one`);
  return { safeParse: schemas[0].safeParse.bind(schemas[0]), shape };
}

/** Modules that installed packages declare optional (optionalDependencies, or peerDependenciesMeta optional). */
function optionalModules(): Set<string> {
  const optional = new Set<string>();
  const root = repoPath('node_modules');
  const dirs = readdirSync(root).flatMap((name) => (name.startsWith('@') ? readdirSync(`${root}/${name}`).map((sub) => `${name}/${sub}`) : [name]));
  for (const dir of dirs) {
    const file = `${root}/${dir}/package.json`;
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { optionalDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) optional.add(name);
    for (const [name, meta] of Object.entries(manifest.peerDependenciesMeta ?? {})) if (meta.optional) optional.add(name);
  }
  return optional;
}

describe('the built bundles', () => {
  describe.each(DEPLOYABLE_APPS.map((app) => [app]))('%s', (app) => itForApp(app, `${app} loads at run time only Node built-ins and the packages its image installs`, () => {
    const bundle = repoPath('dist', 'apps', app, 'main.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build first (npm test builds every app; or npx nx build ${app})`);
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    // A require inside a string literal is generated code (ajv's code generator), not a load; a module
    // some bundled package declares optional is loaded inside try/catch (ws: bufferutil, node-fetch: encoding).
    const optional = optionalModules();
    const required = [...new Set([...readRepoFile(`dist/apps/${app}/main.js`).matchAll(/(?<!['"`])\brequire\("([^"./][^"]*)"\)/g)].map((m) => m[1]))]
      .filter((m) => !builtins.has(m) && !optional.has(m));
    const packageJson = JSON.parse(readRepoFile(`dist/apps/${app}/package.json`)) as { dependencies?: Record<string, string>; version: string };
    const installed = Object.keys(packageJson.dependencies ?? {});
    expect(required.map((name) => name.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, '$1')).filter((name) => !installed.includes(name))).toEqual([]);
    // The image's version tag (tools/ci/app-version.sh) is the version the bundle's package.json carries.
    expect(packageJson.version).toBe((JSON.parse(readRepoFile(`apps/${app}/package.json`)) as { version: string }).version);
  }));

  describe.each(DEPLOYABLE_APPS.map((app) => [app]))('%s', (app) => itForApp(app, `${app} has an nx serve target running its bundle, without a debugger on a fixed port`, () => {
    const project = JSON.parse(readRepoFile(`apps/${app}/project.json`)) as { targets: Record<string, { executor: string; options: { buildTarget: string } }> };
    // @nx/js:node defaults to --inspect on 9229: two serves at once would collide (`--inspect` turns it on).
    expect(project.targets['serve']).toMatchObject({ executor: '@nx/js:node', options: { buildTarget: `${app}:build`, inspect: false } });
  }));
});

describe('app configuration from the manifests', () => {
  describe.each(WORKER_APPS.map((app) => [app]))('%s', (app) => itForApp(app, `${app} accepts its Job example env plus the shared ConfigMap and Secret, ignoring only per-run values it has no use for`, () => {
    const job = findObject<Workload>(files, 'Job', files.find((f) => f.path === `deploy/base/jobs/${app}.yaml`)?.objects[0].metadata.name ?? '?');
    const perRun = Object.fromEntries((job.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value as string]));
    const schema = appConfigSchema(app);
    expect(() => loadConfig(schema as never, { env: { ...sharedEnvOf(job), ...perRun }, argv: [] })).not.toThrow();
    // Least privilege: its role Secret holds only credentials this app reads.
    expect(roleSecretKeys(job).filter((key) => !(key in schema.shape))).toEqual([]);
    // The launcher gives every target the same per-run variables; each app ignores exactly those that
    // mean nothing to it. Any other ignored name is a launcher/app mismatch that would silently default.
    const ignored = Object.keys(perRun).filter((name) => !(name in schema.shape));
    expect(ignored.sort()).toEqual(PER_RUN_NOT_READ[app]);
  }));

  itForApp('queue-manager', 'queue-manager accepts the Deployment env plus the shared ConfigMap and Secret', () => {
    const deployment = findObject<Workload>(files, 'Deployment', 'queue-manager');
    const own = Object.fromEntries((deployment.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value ?? (e.valueFrom?.fieldRef ? 'stf' : '')]));
    const schema = appConfigSchema('queue-manager');
    expect(() => loadConfig(schema as never, { env: { ...sharedEnvOf(deployment), ...own }, argv: [] })).not.toThrow();
    expect(roleSecretKeys(deployment).filter((key) => !(key in schema.shape))).toEqual([]);
    expect(Object.keys(own).filter((name) => !(name in schema.shape))).toEqual([]);
  });

  const missing = DEPLOYABLE_APPS.filter((app) => !present.includes(app));
  (missing.length === 0 ? it : it.skip)(`every shared setting is read by some app${missing.length ? ` (skipped: ${missing.join(', ')} not in this checkout yet)` : ''}`, () => {
    const read = new Set(DEPLOYABLE_APPS.flatMap((app) => Object.keys(appConfigSchema(app).shape)));
    expect(Object.keys(configMap.data ?? {}).filter((key) => !read.has(key))).toEqual([]);
  });
});
