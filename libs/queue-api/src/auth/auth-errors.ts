/** The caller is not identified: no token, or one that is invalid, expired or of another issuer (401). */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError';
  readonly statusCode = 401;
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller is identified but its role does not allow the request (403). */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  readonly statusCode = 403;
  readonly retriable = false;
}
