// Errors the reference server turns into `{ ok: 0 }` replies, with mongod's codes and code names.

/** The code names mongod gives the error codes this server can reply with. */
const CODE_NAMES: Readonly<Record<number, string>> = {
  1: "InternalError",
  2: "BadValue",
  4: "NoSuchKey",
  6: "HostUnreachable",
  7: "HostNotFound",
  8: "UnknownError",
  11: "UserNotFound",
  13: "Unauthorized",
  14: "TypeMismatch",
  16: "InvalidLength",
  17: "ProtocolError",
  18: "AuthenticationFailed",
  20: "IllegalOperation",
  50: "MaxTimeMSExpired",
  59: "CommandNotFound",
  72: "InvalidOptions",
  73: "InvalidNamespace",
  89: "NetworkTimeout",
  91: "ShutdownInProgress",
  112: "WriteConflict",
  160: "MaxStalenessOutOfRange",
  183: "ClientMetadataMissingField",
  184: "ClientMetadataAppNameTooLarge",
  185: "ClientMetadataDocumentTooLarge",
  186: "ClientMetadataCannotBeMutated",
  189: "PrimarySteppedDown",
  262: "ExceededTimeLimit",
  334: "MechanismUnavailable",
  322: "APIVersionError",
  323: "APIStrictError",
  352: "UnsupportedOpQueryCommand",
  354: "LoadBalancerSupportMismatch",
  391: "ReauthenticationRequired",
  9001: "SocketException",
  10058: "LegacyNotPrimary",
  10107: "NotWritablePrimary",
  11600: "InterruptedAtShutdown",
  11602: "InterruptedDueToReplStateChange",
  13435: "NotPrimaryNoSecondaryOk",
  13436: "NotPrimaryOrSecondary",
};

/**
 * The code name mongod reports for an error code; mongod names codes it has no name for
 * (assertion ids such as 51769) "Location<code>".
 * @param code the numeric error code
 * @returns the code name
 */
export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Location${code}`;
}

/** A command failure that becomes `{ ok: 0, errmsg, code, codeName }` in the reply. */
export class CommandError extends Error {
  /** The numeric mongod error code. */
  readonly code: number;
  /** Labels such as "RetryableWriteError" that go into `errorLabels`. */
  readonly errorLabels: readonly string[];

  /**
   * @param code the mongod error code
   * @param message the `errmsg` the client sees
   * @param errorLabels optional `errorLabels`
   */
  constructor(code: number, message: string, errorLabels: readonly string[] = []) {
    super(message);
    this.name = "CommandError";
    this.code = code;
    this.errorLabels = errorLabels;
  }

  /** The reply document for this error. */
  toReply(): Record<string, unknown> {
    const reply: Record<string, unknown> = {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: codeName(this.code),
    };
    if (this.errorLabels.length > 0) reply.errorLabels = [...this.errorLabels];
    return reply;
  }
}

/**
 * Thrown by a mechanism's conversation when authentication fails. The client only ever sees
 * mongod's fixed `{ code: 18, errmsg: "Authentication failed." }`; `reason` goes to the
 * server's stats (like mongod's log), never to the client, and must not carry a secret.
 */
export class AuthFailure extends Error {
  /**
   * @param reason why authentication failed, for the server side only
   */
  constructor(reason: string) {
    super(reason);
    this.name = "AuthFailure";
  }
}

/** The one reply mongod gives for every failed authentication step. */
export function authenticationFailed(): CommandError {
  return new CommandError(18, "Authentication failed.");
}
