import { StorageError } from './errors';

/** `scheme://user[:password]@host…`: credentials in a URL end up in logs, errors and health answers. */
const URL_CREDENTIALS = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]*@/;

/** Whether the URL carries `user[:password]@` before its host. */
export function hasUrlCredentials(url: string): boolean {
  return URL_CREDENTIALS.test(url);
}

/** The URL with any `user:password@` replaced by `***@`, safe to print. */
export function redactUrlCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#\s]*@/, '$1***@');
}

/** Refuses a URL with credentials, printing it without them (Node's fetch would refuse it later, password included). */
export function assertNoUrlCredentials(url: string, name: string): void {
  if (hasUrlCredentials(url)) {
    throw new StorageError(`${name} ${redactUrlCredentials(url)} must not carry credentials (user:password@): set ARANGO_USER/ARANGO_PASSWORD or ARANGO_TOKEN instead`, false);
  }
}
