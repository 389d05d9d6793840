// The mechanisms the reference server speaks, in the order mongod advertises them in
// saslSupportedMechs. Adding a mechanism = one file under ./mechanisms/ + one line here.
import type { SaslMechanismServer } from "./sasl.ts";
import { scramMechanism } from "./mechanisms/scram.ts";
import { awsMechanism } from "./mechanisms/aws.ts";
import { oidcMechanism } from "./mechanisms/oidc.ts";
import { x509Mechanism } from "./mechanisms/x509.ts";
import { plainMechanism } from "./mechanisms/plain.ts";

/** The default mechanism list of every server started without `mechanisms` in its options. */
export function defaultMechanisms(): SaslMechanismServer[] {
  return [
    scramMechanism("sha1"),
    scramMechanism("sha256"),
    awsMechanism(),
    oidcMechanism(),
    x509Mechanism(),
    plainMechanism(),
  ];
}
