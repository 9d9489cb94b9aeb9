// `npm test`: build every bundle (tests run what ships), lint (module boundaries), then one jest run
// over all projects so the suite shares a single Kafka broker. Extra args go to jest.
import { spawnSync } from 'node:child_process';

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: false });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
run(npx, ['nx', 'run-many', '-t', 'build', 'lint', '--output-style=static']);
run(npx, ['jest', '--ci', ...process.argv.slice(2)]);
