/** A bad or missing setting; `line` is the one line an app prints before exiting 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retriable = false;
  constructor(readonly line: string) {
    super(line);
  }
}
