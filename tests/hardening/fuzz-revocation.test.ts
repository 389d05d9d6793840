// Fuzz: the revocation lists of tlsCRLFile as a damaged or forged file holds them, into readRevocationList and
// checkRevocation (what the Deno transports run on the chain their node:tls verified) — the test PKI's lists
// mutated byte by byte (lengths, times, serial numbers, extensions, names, signatures and RSA-PSS's parameters).
// A malformed list may only be a RangeError, which the transport reports as TLS_ERROR naming the file; and no
// mutation may let the revoked certificate pass, since every byte of a list but its signature is signed; and the
// chain's certificates mutated, which may only be a verdict or TLS_ERROR naming the certificate. See fuzz.ts for
// the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MongoAuthError } from "@mongo-auth/core";
import { checkRevocation, readRevocationList } from "../../src/crypto/certificate-revocation.ts";
import { decodePemBody } from "../../src/crypto/base64.ts";
import { fixturePath } from "../../testing/paths.ts";
import { failureMessage, fuzzCases, mutateBytes, runFuzz } from "./fuzz.ts";

const blocks = (name: string, label: string) =>
  [
    ...readFileSync(fixturePath(`pki/${name}`), "utf8").matchAll(
      new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, "g"),
    ),
  ].map((match) => decodePemBody(match[0], name));
const certificates = (name: string) => blocks(name, "CERTIFICATE");
const lists = (...names: string[]) => names.flatMap((name) => blocks(name, "X509 CRL"));

/** A CA's lists, a chain one of them revokes, and a chain none does. */
interface Pki {
  readonly lists: Uint8Array[];
  readonly revoked: Uint8Array[];
  readonly good: Uint8Array[];
}

const [root] = certificates("crl-ca.pem");
const [signer] = certificates("crl-cases/signatures/ca.pem");
const PKIS: Pki[] = [
  {
    // The CA's (revoking crl-revoked-server.pem), the intermediate's, and another CA's whose issuer is written in
    // other string types and case than its certificate's subject (canonicalName reads every list's issuer).
    lists: lists("crl.pem", "crl-cases/names/crl.pem"),
    revoked: [...certificates("crl-revoked-server.pem"), root],
    good: [...certificates("crl-chain-server.pem"), root],
  },
  {
    // One CA's lists signed with RSA-PSS (SHA-256, and SHA-384 with the longest salt) and with SHA-1, each
    // revoking revoked-server.pem: their algorithms' parameters are read and checked.
    lists: lists(
      "crl-cases/signatures/pss.crl.pem",
      "crl-cases/signatures/sha1.crl.pem",
      "crl-cases/signatures/pss-sha384-max.crl.pem",
    ),
    revoked: [...certificates("crl-cases/signatures/revoked-server.pem"), signer],
    good: [...certificates("crl-cases/signatures/server.pem"), signer],
  },
];
const NOW = Date.UTC(2030, 0, 1);

describe("fuzz: revocation lists", () => {
  it("the lists mutated byte by byte: a verdict, or a RangeError; the revoked certificate never passes", async () => {
    const report = await runFuzz("revocation lists", fuzzCases(2000), async (rng) => {
      const pki = PKIS[rng.int(PKIS.length)];
      const which = rng.int(pki.lists.length);
      const mutated = pki.lists.map((list, i) => i === which ? mutateBytes(rng, list) : list);
      const chain = rng.chance(0.5) ? pki.revoked : pki.good;
      try {
        const failure = await checkRevocation(chain, mutated.map(readRevocationList), NOW);
        assert.ok(failure !== undefined || chain === pki.good, "the revoked certificate passed");
        if (failure) throw new MongoAuthError("TLS_ERROR", failure.message);
      } catch (err) {
        // What the Deno transports turn into TLS_ERROR naming the file.
        if (err instanceof RangeError) throw new MongoAuthError("TLS_ERROR", err.message);
        throw err;
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });

  // The chain comes from a handshake that verified it, but its names and extensions are read here too
  // (canonical names, keyUsage): a mutated certificate may only be a verdict or TLS_ERROR naming it. (It may
  // pass: a changed serial number is another certificate, which no list names.)
  it("the chain's certificates mutated byte by byte: a verdict, or TLS_ERROR naming the certificate", async () => {
    const report = await runFuzz("revocation chains", fuzzCases(1000), async (rng) => {
      const pki = PKIS[rng.int(PKIS.length)];
      const base = rng.chance(0.5) ? pki.revoked : pki.good;
      const which = rng.int(base.length);
      const chain = base.map((certificate, i) => i === which ? mutateBytes(rng, certificate) : certificate);
      const failure = await checkRevocation(chain, pki.lists.map(readRevocationList), NOW);
      if (failure) throw new MongoAuthError("TLS_ERROR", failure.message);
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
