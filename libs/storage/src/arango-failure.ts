import { isArangoError, isNetworkError, RequestAbortedError, ResponseTimeoutError } from 'arangojs/errors';
import { StorageError, StoreRequestError, StoreUnavailableError, type StorageErrorContext } from './errors';

/** HTTP statuses that mean "come back later". */
const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

/**
 * ArangoDB errorNums worth retrying: the server or cluster is busy, restarting or re-electing,
 * not our data being wrong. 1004 is what a cluster returns (with 403) when the write concern is
 * not met; 1429 is the same with 503.
 */
export const TRANSIENT_ERROR_NUMS = new Set([
  18, // lock timeout
  28, // locked
  29, // deadlock
  30, // shutting down
  38, // startup ongoing
  503, // service unavailable
  1004, // read only / write concern not fulfilled
  1200, // write-write conflict
  1236, // write-throttling timeout
  1302, // try again
  1303, // engine busy
  1429, // write concern not fulfilled
  1457, // cluster timeout
  1465, // cluster connection lost
  1478, // cluster backend unavailable
  1491, // shard leader resigned
  1495, // leadership challenge ongoing
  1496, // not a leader
  21004, // queue time violated: the server's queue was longer than x-arango-queue-time-seconds allows
]);

/** Who asked, and where, so a refused permission names what to grant (never a password or token). */
export interface ArangoAccess {
  principal: string;
  database: string;
}

/**
 * Certificate and TLS handshake failures (Node/OpenSSL codes): a configuration problem that
 * no retry fixes, unlike a reset connection.
 */
const TLS_FAILURE = /CERT|SIGNATURE|SSL|TLS|HOSTNAME|DEPTH_ZERO|ISSUER/;

function tlsFailureCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 8; depth++) {
    if (typeof current.code === 'string' && TLS_FAILURE.test(current.code)) return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** Walks `cause` links for a system error code (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET…). */
function systemCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 8; depth++) {
    if (typeof current.code === 'string') return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

function deepestMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  let message = String((error as Error)?.message ?? error);
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.message) message = current.message;
    current = current.cause as typeof current;
  }
  return message;
}

/**
 * Turns whatever arangojs threw into a StorageError that says what failed (`what`, e.g.
 * `writing 2000 documents to "candles"`), where, and whether a retry can help.
 */
export function toStorageError(error: unknown, what: string, location: string, context: StorageErrorContext = {}, access?: ArangoAccess): StorageError {
  if (error instanceof StorageError) return error;
  if (isArangoError(error)) {
    const status = error.code;
    const errorNum = error.errorNum;
    const detail = `HTTP ${status ?? '?'} errorNum ${errorNum}: ${error.message}`;
    const full = { ...context, status, errorNums: [errorNum] };
    if (TRANSIENT_ERROR_NUMS.has(errorNum) || (status !== undefined && TRANSIENT_STATUSES.has(status))) {
      return new StoreUnavailableError(`ArangoDB ${location} is unavailable while ${what} (${detail})`, full, { cause: error });
    }
    if (status === 401) {
      // ArangoDB answers 401 both to wrong credentials and to a user without access to the database.
      const whose = access ? `the credentials of ${access.principal}` : 'the credentials';
      const grant = access ? `, or grant ${access.principal} access to database "${access.database}"` : '';
      return new StoreRequestError(
        `ArangoDB ${location} refused ${whose} while ${what} (${detail}); check ARANGO_USER/ARANGO_PASSWORD (or ARANGO_TOKEN)${grant}`,
        false,
        full,
        { cause: error },
      );
    }
    if (status === 403 && errorNum === 11) {
      const who = access ? `${access.principal} lacks` : 'the user lacks';
      const where = access ? ` on database "${access.database}"` : '';
      return new StoreRequestError(
        `ArangoDB ${location} forbade ${what} (${detail}): ${who} the rights for it${where} (creating collections and indexes needs Administrate, "rw"; writing needs read/write on the collection)`,
        false,
        full,
        { cause: error },
      );
    }
    if (errorNum === 1500) {
      return new StoreRequestError(`ArangoDB ${location} stopped a query that ran past its time limit (maxRuntime, ARANGO_QUERY_TIMEOUT_MS) while ${what} (${detail})`, false, full, { cause: error });
    }
    return new StoreRequestError(`ArangoDB ${location} refused ${what} (${detail})`, false, full, { cause: error });
  }
  if (error instanceof ResponseTimeoutError) {
    return new StoreUnavailableError(`ArangoDB ${location} did not answer in time while ${what}`, context, { cause: error });
  }
  if (error instanceof RequestAbortedError) {
    return new StorageError(`request to ArangoDB ${location} was aborted (store closed) while ${what}`, false, context, { cause: error });
  }
  if (isNetworkError(error)) {
    const status = (error as { code?: unknown }).code;
    if (typeof status === 'number') {
      // HttpError: a non-JSON error answer, typically from a proxy in front of ArangoDB.
      const full = { ...context, status };
      const message = `ArangoDB ${location} answered HTTP ${status} while ${what}`;
      return TRANSIENT_STATUSES.has(status) ? new StoreUnavailableError(message, full, { cause: error }) : new StoreRequestError(message, false, full, { cause: error });
    }
    const tls = tlsFailureCode(error);
    if (tls) {
      return new StoreRequestError(
        `cannot trust ArangoDB ${location} while ${what}: TLS ${tls} ${deepestMessage(error)}; give the CA that signed the server's certificate in ARANGO_CA_PATH (or fix the URL's host name)`,
        false,
        context,
        { cause: error },
      );
    }
    const code = systemCode(error);
    return new StoreUnavailableError(`cannot reach ArangoDB ${location} while ${what}: ${code ? `${code} ` : ''}${deepestMessage(error)}`, context, { cause: error });
  }
  return new StorageError(`unexpected failure while ${what} on ArangoDB ${location}: ${deepestMessage(error)}`, false, context, { cause: error });
}
