/**
 * The mechanisms mongo-auth speaks, by the name the server knows them by.
 *
 * @module
 */
import { MongoAuthError } from "../core/errors.ts";
import { scramSha1, scramSha256 } from "./scram/mechanism.ts";
import { mongodbX509 } from "./x509.ts";
import { plain } from "./plain.ts";
import { mongodbAws } from "./aws/mechanism.ts";
import { mongodbOidc } from "./oidc/mechanism.ts";
import type { Mechanism } from "../auth/mechanism.ts";

const MECHANISMS: ReadonlyMap<string, Mechanism> = new Map(
  [scramSha256, scramSha1, mongodbX509, plain, mongodbAws, mongodbOidc].map((m) => [m.name, m]),
);

/**
 * The mechanism called `name`.
 *
 * @param name e.g. `"SCRAM-SHA-256"`
 * @returns the mechanism
 * @throws {MongoAuthError} `UNSUPPORTED_MECHANISM` for GSSAPI and unknown names
 */
export function mechanismNamed(name: string): Mechanism {
  const mechanism = MECHANISMS.get(name);
  if (mechanism) return mechanism;
  if (name === "GSSAPI") {
    throw new MongoAuthError(
      "UNSUPPORTED_MECHANISM",
      "GSSAPI (Kerberos) is not supported by mongo-auth: use SCRAM, X509, AWS or OIDC",
    );
  }
  throw new MongoAuthError("UNSUPPORTED_MECHANISM", `unsupported authentication mechanism ${name}`);
}
