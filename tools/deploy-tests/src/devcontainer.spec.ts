import { readRepoFile } from './repo';

interface DevContainer {
  build: { dockerfile: string };
  postCreateCommand: string;
  postStartCommand?: string;
  remoteEnv?: Record<string, string>;
  forwardPorts: number[];
}

describe('.devcontainer', () => {
  // devcontainer.json is kept strict JSON (no comments), so any JSON parser, not only VS Code's, reads it.
  const config = JSON.parse(readRepoFile('.devcontainer/devcontainer.json')) as DevContainer;
  const dockerfile = readRepoFile(`.devcontainer/${config.build.dockerfile}`);

  it('builds from its Dockerfile on Node 24 with Java 17, Maven, kubectl, helm and kcat', () => {
    expect(dockerfile).toMatch(/^FROM \S+:\S*\b24-bookworm\b/m);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bopenjdk-17-jdk-headless\b/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bmaven\b/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bkcat\b/);
    expect(dockerfile).toMatch(/install -m 0755 \/tmp\/kubectl \/usr\/local\/bin\/kubectl/);
    expect(dockerfile).toMatch(/install -m 0755 "\/tmp\/linux-\$\{TARGETARCH\}\/helm" \/usr\/local\/bin\/helm/);
    // Downloaded binaries are checked against their published checksums.
    expect(dockerfile.match(/sha256sum -c -/g)).toHaveLength(2);
  });

  it('installs the workspace with npm ci and starts the local broker that nx serve uses', () => {
    expect(config.postCreateCommand).toBe('npm ci');
    const port = /--port (\d+)/.exec(config.postStartCommand ?? '')?.[1];
    expect(config.postStartCommand).toMatch(/^npm run kafka -- start --port \d+$/);
    expect(config.remoteEnv?.['KAFKA_BOOTSTRAP_SERVERS']).toBe(`127.0.0.1:${port}`);
    expect((JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts['kafka']).toBeDefined();
  });

  it('forwards the queue-manager port and a worker metrics port', () => {
    expect(config.forwardPorts).toEqual([8000, 8001]);
  });
});
