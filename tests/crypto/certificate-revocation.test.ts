// checkRevocation against chains and revocation lists built here, signed with keys made here (ECDSA P-256),
// so that each rule can be shown alone; tests/e2e/tls.test.ts runs it on Deno against the test PKI's
// servers and OpenSSL's lists, with the same outcomes as OpenSSL on Node.js and Bun.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkRevocation, readRevocationList } from "../../src/crypto/certificate-revocation.ts";
import {
  bits,
  bool,
  ECDSA_SHA256,
  explicit,
  extension,
  generalizedTime,
  int,
  name,
  oid,
  seq,
  signedWithEcdsa,
  tlv,
  utcTime,
} from "../support/der-builder.ts";
import { countSubtleCalls } from "../support/subtle-counter.ts";

const NOW = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

interface Authority {
  readonly name: Uint8Array;
  readonly keys: CryptoKeyPair;
  readonly spki: Uint8Array;
}

async function authority(commonName: string): Promise<Authority> {
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  return { name: name(commonName), keys, spki };
}

/** A certificate as checkRevocation reads it: serial, issuer, key and extensions (its own signature is not looked at). */
function certificate(
  serial: number[],
  issuer: Authority,
  subject: Authority,
  extensions?: Uint8Array[],
): Uint8Array {
  const validity = seq(utcTime(new Date(NOW - 365 * DAY)), utcTime(new Date(NOW + 365 * DAY)));
  const tbs = seq(
    explicit(0, int(2)),
    int(...serial),
    ECDSA_SHA256,
    issuer.name,
    validity,
    subject.name,
    subject.spki,
    ...(extensions ? [explicit(3, seq(...extensions))] : []),
  );
  return seq(tbs, ECDSA_SHA256, bits(new Uint8Array(8)));
}

const CRL_NUMBER = "2.5.29.20";
const REASON_CODE = "2.5.29.21";
const ISSUING_DISTRIBUTION_POINT = "2.5.29.28";
const CERTIFICATE_ISSUER = "2.5.29.29";

interface ListOptions {
  readonly revoked?: number[][];
  readonly thisUpdate?: number;
  /** null: no nextUpdate. */
  readonly nextUpdate?: number | null;
  readonly generalized?: boolean;
  readonly extensions?: Uint8Array[];
  readonly entryExtensions?: Uint8Array[];
  /** Sign with this key in place of the issuer's (the issuer's name stays). */
  readonly signer?: Authority;
  /** Version 1: no version field, no extensions. */
  readonly v1?: boolean;
  readonly innerAlgorithm?: Uint8Array;
  /** Entries as given, in place of `revoked`'s. */
  readonly rawEntries?: Uint8Array[];
}

/** A revocation list of `issuer`, signed with ECDSA P-256 and SHA-256. */
async function revocationList(issuer: Authority, options: ListOptions = {}): Promise<Uint8Array> {
  const time = (at: number) => (options.generalized ? generalizedTime : utcTime)(new Date(at));
  const nextUpdate = options.nextUpdate === null ? [] : [time(options.nextUpdate ?? NOW + 30 * DAY)];
  const entries = options.rawEntries ?? (options.revoked ?? []).map((serial) =>
    seq(
      int(...serial),
      utcTime(new Date(NOW - DAY)),
      ...(options.entryExtensions ? [seq(...options.entryExtensions)] : []),
    )
  );
  const tbs = seq(
    ...(options.v1 ? [] : [int(1)]),
    options.innerAlgorithm ?? ECDSA_SHA256,
    issuer.name,
    time(options.thisUpdate ?? NOW - DAY),
    ...nextUpdate,
    ...(entries.length ? [seq(...entries)] : []),
    ...(options.v1 ? [] : [explicit(0, seq(extension(CRL_NUMBER, false), ...(options.extensions ?? [])))]),
  );
  return await signedWithEcdsa(tbs, (options.signer ?? issuer).keys.privateKey);
}

// A root CA, an intermediate it signed, and a server certificate the intermediate signed.
const pki = (async () => {
  const [root, intermediate, server, impostor] = await Promise.all(
    ["root", "intermediate", "server", "root"].map(authority),
  );
  const chain = [
    certificate([0x10], intermediate, server),
    certificate([0x20], root, intermediate),
    certificate([0x01], root, root),
  ];
  return { root, intermediate, impostor, chain };
})();

// The lists as the transport hands them over, each read once (a list that is not DER rejects).
async function check(chain: Uint8Array[], lists: Uint8Array[], now: number) {
  return await checkRevocation(chain, lists.map(readRevocationList), now);
}

const FAILURE = {
  revoked: { code: "CERT_REVOKED", message: "certificate revoked" },
  noList: { code: "UNABLE_TO_GET_CRL", message: "unable to get certificate CRL" },
  signature: { code: "CRL_SIGNATURE_FAILURE", message: "CRL signature failure" },
  notYetValid: { code: "CRL_NOT_YET_VALID", message: "CRL is not yet valid" },
  expired: { code: "CRL_HAS_EXPIRED", message: "CRL has expired" },
  critical: { code: "UNHANDLED_CRITICAL_CRL_EXTENSION", message: "unhandled critical CRL extension" },
  noAnchor: { code: "UNABLE_TO_GET_CRL_ISSUER", message: "unable to get CRL issuer certificate" },
  keyUsage: { code: "KEYUSAGE_NO_CRL_SIGN", message: "key usage does not include CRL signing" },
};

describe("checkRevocation", () => {
  it("passes a chain with a current list from each issuer that names none of its certificates", async () => {
    const { root, intermediate, chain } = await pki;
    const lists = [
      await revocationList(root, { revoked: [[0x21], [0x7f]] }),
      await revocationList(intermediate, { revoked: [[0x11]] }),
    ];
    assert.equal(await check(chain, lists, NOW), undefined);
  });

  it("refuses a certificate its issuer's list names, the server's or a CA's of the chain", async () => {
    const { root, intermediate, chain } = await pki;
    const rootList = await revocationList(root);
    const serverRevoked = await revocationList(intermediate, { revoked: [[0x11], [0x10]] });
    assert.deepEqual(await check(chain, [rootList, serverRevoked], NOW), FAILURE.revoked);
    const intermediateRevoked = await revocationList(root, { revoked: [[0x20]] });
    const fine = await revocationList(intermediate);
    assert.deepEqual(await check(chain, [intermediateRevoked, fine], NOW), FAILURE.revoked);
  });

  it("wants a list from the issuer of every certificate but the trust anchor", async () => {
    const { root, intermediate, chain } = await pki;
    const rootList = await revocationList(root);
    const intermediateList = await revocationList(intermediate);
    assert.deepEqual(await check(chain, [rootList], NOW), FAILURE.noList);
    assert.deepEqual(await check(chain, [intermediateList], NOW), FAILURE.noList);
    assert.deepEqual(await check(chain, [], NOW), FAILURE.noList);
    // The anchor alone has nothing above it to check.
    assert.equal(await check(chain.slice(2), [], NOW), undefined);
  });

  it("refuses a chain that does not end at a self-issued anchor: the last certificate's list cannot be checked", async () => {
    const { root, intermediate, chain } = await pki;
    const lists = [await revocationList(root), await revocationList(intermediate)];
    assert.deepEqual(await check(chain.slice(0, 2), lists, NOW), FAILURE.noAnchor);
    assert.deepEqual(await check(chain.slice(0, 1), lists, NOW), FAILURE.noAnchor);
    assert.deepEqual(await check([], lists, NOW), FAILURE.noAnchor);
  });

  it("refuses a list its issuer did not sign: another key under the same name, or a byte changed", async () => {
    const { root, intermediate, impostor, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const forged = await revocationList(root, { signer: impostor });
    assert.deepEqual(await check(chain, [forged, intermediateList], NOW), FAILURE.signature);
    const tampered = (await revocationList(root, { revoked: [[0x21]] })).slice();
    tampered[tampered.indexOf(0x21)] = 0x22;
    assert.deepEqual(await check(chain, [tampered, intermediateList], NOW), FAILURE.signature);
  });

  it("refuses a list before its thisUpdate or after its nextUpdate; one without nextUpdate does not expire", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const future = await revocationList(root, { thisUpdate: NOW + DAY });
    assert.deepEqual(await check(chain, [future, intermediateList], NOW), FAILURE.notYetValid);
    const past = await revocationList(root, { thisUpdate: NOW - 10 * DAY, nextUpdate: NOW - DAY });
    assert.deepEqual(await check(chain, [past, intermediateList], NOW), FAILURE.expired);
    const open = await revocationList(root, { nextUpdate: null, thisUpdate: NOW - 1000 * DAY });
    assert.equal(await check(chain, [open, intermediateList], NOW), undefined);
  });

  it("reads GeneralizedTime as well as UTCTime, and a version 1 list", async () => {
    const { root, intermediate, chain } = await pki;
    const generalized = await revocationList(root, { generalized: true, thisUpdate: NOW + DAY });
    const v1 = await revocationList(intermediate, { v1: true });
    assert.deepEqual(await check(chain, [generalized, v1], NOW), FAILURE.notYetValid);
    assert.equal(await check(chain, [generalized, v1], NOW + 2 * DAY), undefined);
  });

  it("takes a list whose issuer is written with another string type, case or spacing for that issuer's, as OpenSSL does", async () => {
    const { root, intermediate, chain } = await pki;
    // CN=root as a PrintableString, upper case, with spaces around: OpenSSL's canonical form of the name is the same.
    const printable = (text: string) =>
      seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x13, new TextEncoder().encode(text)))));
    const rootAgain = { ...root, name: printable("  ROOT ") };
    const intermediateList = await revocationList(intermediate);
    const revoking = await revocationList(rootAgain, { revoked: [[0x20]] });
    assert.deepEqual(await check(chain, [revoking, intermediateList], NOW), FAILURE.revoked);
    const clean = await revocationList(rootAgain);
    assert.equal(await check(chain, [clean, intermediateList], NOW), undefined);
    // The anchor is self-issued when its names are one name in that form.
    const anchor = certificate([0x01], rootAgain, root);
    assert.equal(
      await check([...chain.slice(0, 2), anchor], [clean, intermediateList], NOW),
      undefined,
    );
    // Another name, even under the same key, is another issuer.
    const other = await revocationList({ ...root, name: printable("root 2") });
    assert.deepEqual(await check(chain, [other, intermediateList], NOW), FAILURE.noList);
  });

  it("refuses the lists of a CA whose key usage leaves out cRLSign; one that names it, or states none, signs lists", async () => {
    const { root, intermediate, chain } = await pki;
    const lists = [await revocationList(root), await revocationList(intermediate)];
    // keyUsage (critical): keyCertSign alone, then keyCertSign and cRLSign (bits 5 and 6).
    const keyUsage = (bits: number) => extension("2.5.29.15", true, tlv(0x03, new Uint8Array([1, bits])));
    const anchor = (
      extensions: Uint8Array[],
    ) => [...chain.slice(0, 2), certificate([0x01], root, root, extensions)];
    assert.deepEqual(await check(anchor([keyUsage(0x04)]), lists, NOW), FAILURE.keyUsage);
    assert.equal(await check(anchor([keyUsage(0x06)]), lists, NOW), undefined);
    assert.equal(
      await check(anchor([extension("2.5.29.19", true, seq(bool(true)))]), lists, NOW),
      undefined,
    );
    // Only the CA that signs a list needs the bit: the server's certificate signs none.
    const server = certificate([0x10], intermediate, intermediate, [keyUsage(0x80)]);
    assert.equal(await check([server, ...chain.slice(1)], lists, NOW), undefined);
  });

  it("with two lists from one issuer, the usable ones decide", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const expired = await revocationList(root, { thisUpdate: NOW - 40 * DAY, nextUpdate: NOW - 10 * DAY });
    const current = await revocationList(root);
    assert.equal(await check(chain, [expired, current, intermediateList], NOW), undefined);
    const revoking = await revocationList(root, { revoked: [[0x20]] });
    assert.deepEqual(
      await check(chain, [current, revoking, intermediateList], NOW),
      FAILURE.revoked,
    );
  });

  it("refuses a critical extension it does not process; the CRL number and a reason code are read, critical or not", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const withIdp = await revocationList(root, { extensions: [extension(ISSUING_DISTRIBUTION_POINT, true)] });
    assert.deepEqual(await check(chain, [withIdp, intermediateList], NOW), FAILURE.critical);
    const indirect = await revocationList(root, {
      revoked: [[0x21]],
      entryExtensions: [extension(CERTIFICATE_ISSUER, true)],
    });
    assert.deepEqual(await check(chain, [indirect, intermediateList], NOW), FAILURE.critical);
    const readable = await revocationList(root, {
      revoked: [[0x21]],
      extensions: [extension(ISSUING_DISTRIBUTION_POINT, false)],
      entryExtensions: [extension(REASON_CODE, true), extension(CERTIFICATE_ISSUER, false)],
    });
    assert.equal(await check(chain, [readable, intermediateList], NOW), undefined);
  });

  it("compares serial numbers by value: a leading zero is the same serial", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const padded = await revocationList(root, { revoked: [[0x00, 0x20]] });
    assert.deepEqual(await check(chain, [padded, intermediateList], NOW), FAILURE.revoked);
  });

  it("reads a long list: the last of 3 000 entries, some with extensions, is found", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const serials = Array.from({ length: 3000 }, (_, i) => [0x30, i >> 8, i & 0xff]);
    const long = await revocationList(root, {
      revoked: [...serials, [0x20]],
      entryExtensions: [extension(REASON_CODE, false)],
    });
    assert.deepEqual(await check(chain, [long, intermediateList], NOW), FAILURE.revoked);
    const without = await revocationList(root, { revoked: serials });
    assert.equal(await check(chain, [without, intermediateList], NOW), undefined);
  });

  it("a list read once serves every chain checked against it: its signature is checked once per CA key", async () => {
    const { root, intermediate, impostor, chain } = await pki;
    const lists = [await revocationList(root), await revocationList(intermediate)].map(readRevocationList);
    const forged = readRevocationList(await revocationList(root, { signer: impostor }));
    const first = await countSubtleCalls(async () => {
      for (let i = 0; i < 3; i++) assert.equal(await checkRevocation(chain, lists, NOW), undefined);
    });
    assert.equal(first.verify, 2, "one check per list");
    const later = await countSubtleCalls(async () => {
      // Its time is still checked against each call's clock.
      assert.deepEqual(await checkRevocation(chain, lists, NOW - 2 * DAY), FAILURE.notYetValid);
      // A verdict belongs to the key it was checked with: the impostor's list fails under the root's key, and
      // passes under the impostor's own (a chain whose anchor carries the same name with the impostor's key).
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(await checkRevocation(chain, [forged, lists[1]], NOW), FAILURE.signature);
      }
      const impostorChain = [
        chain[0],
        certificate([0x20], impostor, intermediate),
        certificate([0x01], impostor, impostor),
      ];
      assert.equal(await checkRevocation(impostorChain, [forged, lists[1]], NOW), undefined);
    });
    assert.equal(later.verify, 2, "the impostor's list once under each key");
  });

  it("a list that is not DER of its kind is a RangeError (the transport names the file)", async () => {
    const { root, intermediate, chain } = await pki;
    const intermediateList = await revocationList(intermediate);
    const twoAlgorithms = await revocationList(root, { innerAlgorithm: seq(oid("1.2.840.10045.4.3.3")) });
    await assert.rejects(check(chain, [twoAlgorithms, intermediateList], NOW), RangeError);
    await assert.rejects(check(chain, [new Uint8Array([0x30, 0x00])], NOW), RangeError);
    // An entry without its revocation date, or with something else where its extensions go.
    for (const entry of [seq(int(0x21)), seq(int(0x21), utcTime(new Date(NOW)), int(1))]) {
      const list = await revocationList(root, { rawEntries: [entry] });
      await assert.rejects(check(chain, [list, intermediateList], NOW), RangeError);
    }
  });

  it("a certificate of the chain that cannot be read is a failure naming it, not the list's fault", async () => {
    const { root, intermediate, chain } = await pki;
    const lists = [await revocationList(root), await revocationList(intermediate)];
    const unreadable = await check([new Uint8Array([1]), ...chain.slice(1)], lists, NOW);
    assert.equal(unreadable?.code, "CERT_UNREADABLE");
    assert.match(
      unreadable!.message,
      /^the server's certificate cannot be read to check it against revocation lists \(/,
    );
    // A subject OpenSSL cannot read: its common name a VisibleString.
    const visible = {
      ...intermediate,
      name: seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x1a, new Uint8Array([0x41]))))),
    };
    const failure = await check(
      [chain[0], certificate([0x20], root, visible), chain[2]],
      lists,
      NOW,
    );
    assert.equal(failure?.code, "CERT_UNREADABLE");
    assert.match(failure!.message, /^certificate 2 of the server's chain cannot be read .*tag 0x1a/);
  });
});
