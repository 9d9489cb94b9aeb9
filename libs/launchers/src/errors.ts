/** Base of every error libs/launchers raises. */
export class LauncherError extends Error {
  override name = 'LauncherError';
  constructor(message: string, readonly retriable: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A worker could not be launched (missing bundle, invalid Job, API server refused). */
export class LaunchError extends LauncherError {
  override name = 'LaunchError';
  constructor(readonly jobName: string, reason: string, options?: { cause?: unknown; retriable?: boolean; status?: number }) {
    super(`cannot launch ${jobName}: ${reason}`, options?.retriable ?? false, options);
    this.status = options?.status;
  }
  readonly status?: number;
}
