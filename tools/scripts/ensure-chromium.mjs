// `npm test` runs this first (pretest): the dashboard's browser test drives Debian's Chromium, so
// a fresh machine gets it from Debian's packages here, in plain view, rather than from inside a
// jest test whose timeout an apt download would blow. CHROMIUM_PATH points elsewhere (e.g. a local
// Chrome on a laptop) and skips the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const say = (line) => process.stdout.write(`[ensure-chromium] ${line}\n`);

// kubectl renders the kustomizations in tools/deploy-tests (`kubectl kustomize`, what `apply -k` runs);
// Debian's package takes seconds, where the fallback (go install kustomize) takes minutes.
const wantKubectl = !existsSync('/usr/bin/kubectl') && existsSync('/usr/bin/apt-get') && process.getuid?.() === 0;
if (existsSync(path) && !wantKubectl) {
  say(`using ${path}`);
  process.exit(0);
}
if (process.env.CHROMIUM_PATH && !existsSync(path)) {
  say(`CHROMIUM_PATH=${path} does not exist`);
  process.exit(1);
}
if (!existsSync('/usr/bin/apt-get')) {
  say(`${path} is missing and this is not a Debian-like system: install Chromium or Chrome and set CHROMIUM_PATH to its binary`);
  process.exit(1);
}

const asRoot = process.getuid?.() === 0;
const prefix = asRoot ? [] : ['sudo', '-n'];
const steps = [
  [...prefix, 'apt-get', 'update'],
  [...prefix, 'apt-get', 'install', '-y', '--no-install-recommends', ...(existsSync(path) ? [] : ['chromium']), ...(wantKubectl ? ['kubectl'] : [])],
];
say(`installing Debian's ${existsSync(path) ? '' : 'chromium (dashboard browser test) '}${wantKubectl ? 'kubectl (kustomize rendering)' : ''}`);
for (const step of steps) {
  say(`$ ${step.join(' ')}`);
  const result = spawnSync(step[0], step.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) {
    say(`"${step.join(' ')}" failed (exit ${result.status ?? result.signal})${asRoot ? '' : '; run it as root, or set CHROMIUM_PATH'}`);
    process.exit(1);
  }
}
if (!existsSync(path)) {
  say(`the chromium package installed, but ${path} is still missing`);
  process.exit(1);
}
say(`installed ${path}`);
