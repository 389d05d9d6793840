// Fuzz: the revocation lists of tlsCRLFile as a damaged or forged file holds them, into checkRevocation (what
// the Deno transports run on the chain their node:tls verified) — the test PKI's lists mutated byte by byte
// (lengths, times, serial numbers, extensions, signatures). A malformed list may only be a RangeError, which
// the transport reports as TLS_ERROR naming the file; and no mutation may let the revoked certificate pass,
// since every byte of a list but its signature is signed; and the chain's certificates mutated, which may only
// be a verdict or TLS_ERROR naming the certificate. See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MongoAuthError } from "@mongo-auth/core";
import { checkRevocation } from "../../src/crypto/certificate-revocation.ts";
import { decodePemBody } from "../../src/crypto/base64.ts";
import { fixturePath } from "../../testing/paths.ts";
import { failureMessage, fuzzCases, mutateBytes, runFuzz } from "./fuzz.ts";

const blocks = (name: string, label: string) =>
  [
    ...readFileSync(fixturePath(`pki/${name}`), "utf8").matchAll(
      new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, "g"),
    ),
  ].map((match) => decodePemBody(match[0], name));
const [root] = blocks("crl-ca.pem", "CERTIFICATE");
// The CA's (revoking crl-revoked-server.pem), the intermediate's, and another CA's whose issuer is written in
// other string types and case than its certificate's subject (canonicalName reads every list's issuer).
const LISTS = [...blocks("crl.pem", "X509 CRL"), ...blocks("crl-cases/names/crl.pem", "X509 CRL")];
const REVOKED = [...blocks("crl-revoked-server.pem", "CERTIFICATE"), root];
const CHAIN = [...blocks("crl-chain-server.pem", "CERTIFICATE"), root];
const NOW = Date.UTC(2030, 0, 1);

describe("fuzz: revocation lists", () => {
  it("the lists mutated byte by byte: a verdict, or a RangeError; the revoked certificate never passes", async () => {
    const report = await runFuzz("revocation lists", fuzzCases(2000), async (rng) => {
      const which = rng.int(LISTS.length);
      const lists = LISTS.map((list, i) => i === which ? mutateBytes(rng, list) : list);
      const chain = rng.chance(0.5) ? REVOKED : CHAIN;
      try {
        const failure = await checkRevocation(chain, lists, NOW);
        assert.ok(failure !== undefined || chain === CHAIN, "the revoked certificate passed");
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
      const base = rng.chance(0.5) ? REVOKED : CHAIN;
      const which = rng.int(base.length);
      const chain = base.map((certificate, i) => i === which ? mutateBytes(rng, certificate) : certificate);
      const failure = await checkRevocation(chain, LISTS, NOW);
      if (failure) throw new MongoAuthError("TLS_ERROR", failure.message);
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
