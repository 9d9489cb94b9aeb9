const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi;
// An absolute path starts a word (after a space, quote, paren or '=') and has at least two segments.
const PATH_PATTERN = /(^|[\s"'(=])\/(?:[\w.@-]+\/)+[\w.@-]*/g;

/**
 * Replaces URLs (which may carry a user and password) and absolute file paths in a message meant
 * for telemetry, queue state or an API answer: a store's address is for the logs, not for every
 * dashboard and topic reader.
 */
export function redactLocations(text: string): string {
  return text.replace(URL_PATTERN, '<url>').replace(PATH_PATTERN, '$1<path>');
}

/** A telemetry event with its free-text fields (message, error_message) redacted. */
export function redactTelemetryEvent<T extends { message?: unknown; error_message?: unknown }>(event: T): T {
  return {
    ...event,
    ...(typeof event.message === 'string' ? { message: redactLocations(event.message) } : {}),
    ...(typeof event.error_message === 'string' ? { error_message: redactLocations(event.error_message) } : {}),
  };
}
