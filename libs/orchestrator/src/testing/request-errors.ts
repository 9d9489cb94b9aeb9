import { RequestError } from '../errors';

/** The field errors (and known names) of the RequestError `fn` throws; fails when it throws none. */
export function requestErrorsOf(fn: () => unknown): { errors: RequestError['errors']; known: RequestError['known'] } {
  try {
    fn();
  } catch (error) {
    if (error instanceof RequestError) return { errors: error.errors, known: error.known };
    throw error;
  }
  throw new Error('expected a RequestError');
}
