import type { ErrorEnvelope, FieldError } from '@streamforge/schemas';

/** `{status: "success", message, data}` as every 2xx answer. */
export function success<T>(message: string, data: T): { status: 'success'; message: string; data: T } {
  return { status: 'success', message, data };
}

export function failure(message: string, details?: { errors?: FieldError[]; known?: string[] }): ErrorEnvelope {
  return { status: 'error', message, data: details ? { ...details } : null };
}
