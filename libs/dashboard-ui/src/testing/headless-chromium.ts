import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where `npm test`'s pretest (tools/scripts/ensure-chromium.mjs) installs Debian's Chromium. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// What works in containers and CI: no sandbox (root, no user namespaces), no GPU, and nothing that
// phones home or updates itself during a test.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches the system Chromium headless with a fresh profile (removed on close). */
export async function launchHeadlessChromium(viewport = { width: 1440, height: 900 }): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'streamforge-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, viewport, timeout: 30_000 });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`could not start ${CHROMIUM_PATH} (run \`node tools/scripts/ensure-chromium.mjs\`, or set CHROMIUM_PATH): ${(error as Error).message}`);
  }
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
