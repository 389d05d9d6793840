import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoAuthError, ScramClient, ScramKeyCache, scramPassword } from "@mongo-auth/core";
import { defaultScramKeyCache, deriveScramKeys } from "../../../src/crypto/scram-key-cache.ts";
import { DEFAULT_MAX_SCRAM_ITERATIONS } from "../../../src/mechanisms/scram/client.ts";
import { decodeBase64 } from "../../../src/crypto/base64.ts";

// A complete exchange: client-first, server-first, client-final, server-final.
interface Conversation {
  readonly hash: "SHA-1" | "SHA-256";
  readonly password: string;
  readonly nonce: string;
  readonly clientFirst: string;
  readonly serverFirst: string;
  readonly clientFinal: string;
  readonly serverFinal: string;
}

// RFC 5802 section 5 (SCRAM-SHA-1, password "pencil" fed to Hi() as is).
const RFC5802: Conversation = {
  hash: "SHA-1",
  password: "pencil",
  nonce: "fyko+d2lbbFgONRv9qkxdawL",
  clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
  clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
  serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

// RFC 7677 section 3 (SCRAM-SHA-256); also the MongoDB auth spec's SCRAM-SHA-256 example.
const RFC7677: Conversation = {
  hash: "SHA-256",
  password: "pencil",
  nonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal:
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

// MongoDB auth spec, "SCRAM-SHA-1 / Conversation": Hi() gets hex(MD5("user:mongo:pencil")).
const MONGODB_SHA1: Conversation = {
  hash: "SHA-1",
  password: scramPassword("SHA-1", "user", "pencil"),
  nonce: "fyko+d2lbbFgONRv9qkxdawL",
  clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
  serverFirst:
    "r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,s=rQ9ZY3MntBeuP3E1TDVC4w==,i=10000",
  clientFinal:
    "c=biws,r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,p=MC2T8BvbmWRckDw8oWl5IVghwCY=",
  serverFinal: "v=UMWeI25JD1yNYZRMpZ4VHvhZ9e0=",
};

// MongoDB auth spec, "SCRAM-SHA-256 / Conversation": Hi() gets saslprep("pencil").
const MONGODB_SHA256: Conversation = { ...RFC7677, password: scramPassword("SHA-256", "user", "pencil") };

function client(c: Conversation, cache = new ScramKeyCache()): ScramClient {
  return new ScramClient({ hash: c.hash, username: "user", password: c.password, nonce: c.nonce, cache });
}

async function run(c: Conversation): Promise<void> {
  const scram = client(c);
  assert.equal(scram.clientFirstMessage(), c.clientFirst);
  assert.equal(await scram.clientFinalMessage(c.serverFirst), c.clientFinal);
  await scram.verifyServerFinalMessage(c.serverFinal);
}

// A client that has sent its first message, ready for a server-first-message.
function started(c: Conversation = RFC7677): ScramClient {
  const scram = client(c);
  scram.clientFirstMessage();
  return scram;
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<MongoAuthError> {
  let caught: unknown;
  await assert.rejects(promise, (err) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof MongoAuthError, `expected a MongoAuthError, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(!caught.message.includes("pencil"));
  return caught;
}

describe("ScramClient: published conversations", () => {
  it("RFC 5802 SCRAM-SHA-1 example", () => run(RFC5802));
  it("RFC 7677 SCRAM-SHA-256 example", () => run(RFC7677));
  it("MongoDB auth spec SCRAM-SHA-1 conversation (MD5 password digest, 10000 iterations)", () =>
    run(MONGODB_SHA1));
  it("MongoDB auth spec SCRAM-SHA-256 conversation", () => run(MONGODB_SHA256));

  it("runs conversations side by side, each step of one between the steps of the others", async () => {
    const conversations = [RFC5802, RFC7677, MONGODB_SHA1, MONGODB_SHA256];
    const clients = conversations.map((c) => client(c));
    clients.forEach((scram, i) => assert.equal(scram.clientFirstMessage(), conversations[i].clientFirst));
    const finals = await Promise.all(
      clients.map((scram, i) => scram.clientFinalMessage(conversations[i].serverFirst)),
    );
    assert.deepEqual(finals, conversations.map((c) => c.clientFinal));
    for (const [i, scram] of clients.entries()) {
      await scram.verifyServerFinalMessage(conversations[i].serverFinal);
    }
  });

  it("accepts optional extensions after the mandatory attributes", async () => {
    const scram = started();
    const final = await scram.clientFinalMessage(RFC7677.serverFirst + ",x=ext-value");
    assert.match(final, /^c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj\)hNlF\$k0,p=/);
  });
});

describe("scramPassword", () => {
  it("SCRAM-SHA-1: hex(MD5(username:mongo:password)) over the raw username and password", () => {
    assert.equal(scramPassword("SHA-1", "user", "pencil"), "1c33006ec1ffd90f9cadcbcc0e118200");
    // Neither part is SASLprepped: a soft hyphen changes the digest.
    assert.notEqual(scramPassword("SHA-1", "us\u00ADer", "pencil"), scramPassword("SHA-1", "user", "pencil"));
    assert.notEqual(scramPassword("SHA-1", "user", "pen\u00ADcil"), scramPassword("SHA-1", "user", "pencil"));
  });

  it("SCRAM-SHA-256: saslprep(password), ignoring the username", () => {
    assert.equal(scramPassword("SHA-256", "anyone", "pen\u00ADcil"), "pencil");
    assert.equal(scramPassword("SHA-256", "anyone", "\u2168"), "IX");
  });

  it("SCRAM-SHA-256: a password SASLprep forbids is INVALID_CREDENTIAL, not echoed", () => {
    assert.throws(() => scramPassword("SHA-256", "user", "hunter\u0007two"), (err) => {
      assert.ok(err instanceof MongoAuthError);
      assert.equal(err.code, "INVALID_CREDENTIAL");
      assert.ok(!err.message.includes("hunter"));
      return true;
    });
  });
});

describe("ScramClient: client-first-message", () => {
  it("escapes every '=' and ',' of the username", () => {
    const scram = new ScramClient({ hash: "SHA-256", username: "a=b,c==d,,e=", password: "p", nonce: "abc" });
    assert.equal(scram.clientFirstMessage(), "n,,n=a=3Db=2Cc=3D=3Dd=2C=2Ce=3D,r=abc");
  });

  it("does not SASLprep or otherwise change the username", () => {
    const scram = new ScramClient({
      hash: "SHA-256",
      username: "Us\u00ADer\u2168",
      password: "p",
      nonce: "abc",
    });
    assert.equal(scram.clientFirstMessage(), "n,,n=Us\u00ADer\u2168,r=abc");
  });

  it("makes a fresh 24-byte base64 nonce per conversation", () => {
    const nonces = [0, 1].map(() => {
      const message = new ScramClient({ hash: "SHA-1", username: "u", password: "p" }).clientFirstMessage();
      const match = /^n,,n=u,r=([A-Za-z0-9+/]+=*)$/.exec(message);
      assert.ok(match, message);
      assert.ok(decodeBase64(match[1]).length >= 24);
      return match[1];
    });
    assert.notEqual(nonces[0], nonces[1]);
  });

  it("rejects bad options", () => {
    const base = { hash: "SHA-256", username: "u", password: "p" } as const;
    const cases = [
      [{ ...base, hash: "SHA-512" }, "INVALID_OPTION"],
      [{ ...base, username: "" }, "INVALID_CREDENTIAL"],
      [{ ...base, username: "a\0b" }, "INVALID_CREDENTIAL"],
      [{ ...base, password: undefined }, "INVALID_CREDENTIAL"],
      [{ ...base, nonce: "" }, "INVALID_OPTION"],
      [{ ...base, nonce: "a,b" }, "INVALID_OPTION"],
      [{ ...base, nonce: "a b" }, "INVALID_OPTION"],
    ] as const;
    for (const [opts, code] of cases) {
      assert.throws(() => new ScramClient(opts as never), { code }, JSON.stringify(opts));
    }
  });
});

describe("ScramClient: server-first-message rejections", () => {
  const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
  const cases: [string, string, string][] = [
    ["an empty message", "", "SCRAM_PROTOCOL_ERROR"],
    ["attributes out of order", `s=${salt},r=${nonce},i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a missing salt", `r=${nonce},i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["an empty salt", `r=${nonce},s=,i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a salt that is not base64", `r=${nonce},s=not*base64,i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a salt without padding", `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a missing iteration count", `r=${nonce},s=${salt}`, "SCRAM_PROTOCOL_ERROR"],
    ["a non-decimal iteration count", `r=${nonce},s=${salt},i=0x1000`, "SCRAM_PROTOCOL_ERROR"],
    ["a negative iteration count", `r=${nonce},s=${salt},i=-4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a fractional iteration count", `r=${nonce},s=${salt},i=4096.5`, "SCRAM_PROTOCOL_ERROR"],
    ["an iteration count with a leading zero", `r=${nonce},s=${salt},i=04096`, "SCRAM_PROTOCOL_ERROR"],
    ["an empty iteration count", `r=${nonce},s=${salt},i=`, "SCRAM_PROTOCOL_ERROR"],
    ["an iteration count beyond 32 bits", `r=${nonce},s=${salt},i=4294967296`, "SCRAM_ITERATIONS_TOO_HIGH"],
    ["4095 iterations", `r=${nonce},s=${salt},i=4095`, "SCRAM_ITERATIONS_TOO_LOW"],
    ["1 iteration", `r=${nonce},s=${salt},i=1`, "SCRAM_ITERATIONS_TOO_LOW"],
    ["0 iterations", `r=${nonce},s=${salt},i=0`, "SCRAM_ITERATIONS_TOO_LOW"],
    [
      "a nonce equal to ours (not strictly longer)",
      `r=rOprNGfwEbeRWgbNEkqO,s=${salt},i=4096`,
      "SCRAM_NONCE_MISMATCH",
    ],
    ["a nonce shorter than ours", `r=rOprNG,s=${salt},i=4096`, "SCRAM_NONCE_MISMATCH"],
    [
      "a nonce that does not start with ours",
      `r=XOprNGfwEbeRWgbNEkqOxyz,s=${salt},i=4096`,
      "SCRAM_NONCE_MISMATCH",
    ],
    ["a nonce with ours in the middle", `r=xrOprNGfwEbeRWgbNEkqO,s=${salt},i=4096`, "SCRAM_NONCE_MISMATCH"],
    [
      "a nonce with a non-printable character",
      `r=rOprNGfwEbeRWgbNEkqO\u00e9,s=${salt},i=4096`,
      "SCRAM_PROTOCOL_ERROR",
    ],
    ["an empty nonce", `r=,s=${salt},i=4096`, "SCRAM_PROTOCOL_ERROR"],
    ["a mandatory extension first", `m=ext,r=${nonce},s=${salt},i=4096`, "SCRAM_UNSUPPORTED_EXTENSION"],
    ["a mandatory extension at the end", `r=${nonce},s=${salt},i=4096,m=ext`, "SCRAM_UNSUPPORTED_EXTENSION"],
    ["a malformed trailing attribute", `r=${nonce},s=${salt},i=4096,garbage`, "SCRAM_PROTOCOL_ERROR"],
    ["a trailing comma", `r=${nonce},s=${salt},i=4096,`, "SCRAM_PROTOCOL_ERROR"],
    ["a server error where server-first belongs", "e=other-error", "SCRAM_PROTOCOL_ERROR"],
  ];
  for (const [label, serverFirst, code] of cases) {
    it(`rejects ${label} with ${code}`, async () => {
      const scram = started();
      await rejectsWith(scram.clientFinalMessage(serverFirst), code);
      // The conversation is over: nothing more can be done with it.
      await rejectsWith(scram.verifyServerFinalMessage(RFC7677.serverFinal), "SCRAM_PROTOCOL_ERROR");
    });
  }

  it("does not derive keys for a rejected server-first-message", async () => {
    const cache = new ScramKeyCache();
    const scram = client(RFC7677, cache);
    scram.clientFirstMessage();
    await rejectsWith(scram.clientFinalMessage(`r=${nonce},s=${salt},i=4095`), "SCRAM_ITERATIONS_TOO_LOW");
    assert.equal(cache.computations, 0);
  });
});

describe("ScramClient: iteration ceiling (a hostile server cannot make the client derive for minutes)", () => {
  const nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  const salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
  const firstWith = (iterations: string) => `r=${nonce},s=${salt},i=${iterations}`;
  const ceilinged = (cache: ScramKeyCache, maxIterations?: number) => {
    const scram = new ScramClient({
      hash: "SHA-256",
      username: "alice",
      password: "pencil",
      nonce: RFC7677.nonce,
      cache,
      maxIterations,
    });
    scram.clientFirstMessage();
    return scram;
  };

  // Derives with 4096 iterations whatever was asked: were a count let through, the test would not sit
  // through minutes of PBKDF2 to notice.
  const cheap = () =>
    new ScramKeyCache({ derive: (params) => deriveScramKeys({ ...params, iterations: 4096 }) });

  it("defaults to 1 000 000, far above what servers use (10 000 / 15 000)", () => {
    assert.equal(DEFAULT_MAX_SCRAM_ITERATIONS, 1_000_000);
  });

  for (const count of ["1000001", "2147483647", "2147483648", "4294967295", "4294967296", "9".repeat(400)]) {
    it(`refuses i=${count.length > 12 ? "9×400" : count} before deriving, naming user, mechanism and option`, async () => {
      const cache = cheap();
      const err = await rejectsWith(
        ceilinged(cache).clientFinalMessage(firstWith(count)),
        "SCRAM_ITERATIONS_TOO_HIGH",
      );
      assert.equal(cache.computations, 0, "no key derivation was started");
      assert.match(err.message, /SCRAM-SHA-256/);
      assert.match(err.message, /"alice"/);
      assert.match(err.message, /maxScramIterations/);
      assert.ok(!err.message.includes("pencil"));
    });
  }

  it("accepts a count at the ceiling, and a raised ceiling lets a larger count through", async () => {
    const derived: number[] = [];
    const cache = new ScramKeyCache({
      derive: (params) => (derived.push(params.iterations), deriveScramKeys({ ...params, iterations: 4096 })),
    });
    await ceilinged(cache, 5000).clientFinalMessage(firstWith("5000"));
    await rejectsWith(
      ceilinged(cache, 5000).clientFinalMessage(firstWith("5001")),
      "SCRAM_ITERATIONS_TOO_HIGH",
    );
    await ceilinged(cache, 2 ** 31 - 1).clientFinalMessage(firstWith("2147483647"));
    assert.deepEqual(derived, [5000, 2147483647]);
  });

  it("refuses a ceiling outside 4096 … 2³¹−1 (past it, runtimes' PBKDF2 throw their own DOMException)", () => {
    for (const maxIterations of [4095, 2 ** 31, 2 ** 32, 1.5e6 + 0.5, NaN, Infinity, -1]) {
      assert.throws(
        () => new ScramClient({ hash: "SHA-256", username: "u", password: "p", maxIterations }),
        { code: "INVALID_OPTION", message: /maxScramIterations/ },
      );
    }
  });
});

describe("ScramClient: password prepared when the key is needed", () => {
  it("calls a password function once, at clientFinalMessage, not before", async () => {
    let calls = 0;
    const scram = new ScramClient({
      hash: "SHA-256",
      username: "user",
      password: () => (calls++, "pencil"),
      nonce: RFC7677.nonce,
      cache: new ScramKeyCache(),
    });
    assert.equal(scram.clientFirstMessage(), RFC7677.clientFirst);
    assert.equal(calls, 0);
    assert.equal(await scram.clientFinalMessage(RFC7677.serverFirst), RFC7677.clientFinal);
    await scram.verifyServerFinalMessage(RFC7677.serverFinal);
    assert.equal(calls, 1);
  });

  it("a password SASLprep refuses fails the conversation at clientFinalMessage with INVALID_CREDENTIAL", async () => {
    const scram = new ScramClient({
      hash: "SHA-256",
      username: "user",
      password: () => scramPassword("SHA-256", "user", "bell\u0007"),
      nonce: RFC7677.nonce,
    });
    scram.clientFirstMessage();
    await rejectsWith(scram.clientFinalMessage(RFC7677.serverFirst), "INVALID_CREDENTIAL");
  });
});

describe("ScramClient: server-final-message", () => {
  async function atFinal(c: Conversation = RFC7677): Promise<ScramClient> {
    const scram = started(c);
    await scram.clientFinalMessage(c.serverFirst);
    return scram;
  }

  it("reports e= as SCRAM_SERVER_ERROR with the server's value", async () => {
    const err = await rejectsWith(
      (await atFinal()).verifyServerFinalMessage("e=invalid-proof"),
      "SCRAM_SERVER_ERROR",
    );
    assert.match(err.message, /invalid-proof/);
  });

  it("rejects a wrong server signature with one fixed message", async () => {
    const wrong = "v=" + RFC7677.serverFinal.slice(2, -6) + "AAAAA=";
    const short = "v=AAAA";
    const fromOtherConversation = RFC5802.serverFinal;
    const messages = new Set<string>();
    for (const serverFinal of [wrong, short, fromOtherConversation]) {
      const err = await rejectsWith(
        (await atFinal()).verifyServerFinalMessage(serverFinal),
        "SCRAM_SERVER_SIGNATURE_MISMATCH",
      );
      messages.add(err.message);
    }
    assert.equal(messages.size, 1);
  });

  it("rejects a malformed server-final-message with SCRAM_PROTOCOL_ERROR", async () => {
    for (
      const serverFinal of [
        "",
        "x=1",
        "v=not*base64",
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4",
        "v=AAAA,junk",
      ]
    ) {
      await rejectsWith((await atFinal()).verifyServerFinalMessage(serverFinal), "SCRAM_PROTOCOL_ERROR");
    }
  });

  it("accepts optional extensions after the verifier", async () => {
    await (await atFinal()).verifyServerFinalMessage(RFC7677.serverFinal + ",x=1");
  });
});

describe("ScramClient: call order", () => {
  it("rejects clientFinalMessage before clientFirstMessage", async () => {
    await rejectsWith(client(RFC7677).clientFinalMessage(RFC7677.serverFirst), "SCRAM_PROTOCOL_ERROR");
  });

  it("rejects verifyServerFinalMessage before clientFinalMessage", async () => {
    await rejectsWith(started().verifyServerFinalMessage(RFC7677.serverFinal), "SCRAM_PROTOCOL_ERROR");
    await rejectsWith(client(RFC7677).verifyServerFinalMessage(RFC7677.serverFinal), "SCRAM_PROTOCOL_ERROR");
  });

  it("rejects a second clientFirstMessage", () => {
    const scram = started();
    assert.throws(() => scram.clientFirstMessage(), { code: "SCRAM_PROTOCOL_ERROR" });
  });

  it("rejects a second clientFinalMessage, even while the first is computing", async () => {
    const scram = started();
    const first = scram.clientFinalMessage(RFC7677.serverFirst);
    await rejectsWith(scram.clientFinalMessage(RFC7677.serverFirst), "SCRAM_PROTOCOL_ERROR");
    await assert.rejects(first); // the conversation is failed for good
  });

  it("rejects any call after the conversation is done", async () => {
    const scram = started();
    await scram.clientFinalMessage(RFC7677.serverFirst);
    await scram.verifyServerFinalMessage(RFC7677.serverFinal);
    await rejectsWith(scram.verifyServerFinalMessage(RFC7677.serverFinal), "SCRAM_PROTOCOL_ERROR");
    assert.throws(() => scram.clientFirstMessage(), { code: "SCRAM_PROTOCOL_ERROR" });
  });

  it("stays failed after a signature mismatch", async () => {
    const scram = started();
    await scram.clientFinalMessage(RFC7677.serverFirst);
    await rejectsWith(scram.verifyServerFinalMessage("v=AAAA"), "SCRAM_SERVER_SIGNATURE_MISMATCH");
    await rejectsWith(scram.verifyServerFinalMessage(RFC7677.serverFinal), "SCRAM_PROTOCOL_ERROR");
  });
});

describe("ScramClient: key cache", () => {
  it("20 concurrent conversations of one user run PBKDF2 once; another salt runs it again", async () => {
    const cache = new ScramKeyCache();
    const finals = await Promise.all(Array.from({ length: 20 }, async () => {
      const scram = client(RFC7677, cache);
      scram.clientFirstMessage();
      const final = await scram.clientFinalMessage(RFC7677.serverFirst);
      await scram.verifyServerFinalMessage(RFC7677.serverFinal);
      return final;
    }));
    assert.ok(finals.every((final) => final === RFC7677.clientFinal));
    assert.equal(cache.computations, 1);

    const other = client(RFC7677, cache);
    other.clientFirstMessage();
    await other.clientFinalMessage(
      RFC7677.serverFirst.replace("W22ZaJ0SNY7soEsUEjb6gQ==", "AAAAAAAAAAAAAAAAAAAAAA=="),
    );
    assert.equal(cache.computations, 2);
  });

  it("uses the module's default cache when none is given", async () => {
    const before = defaultScramKeyCache.computations;
    const run = async () => {
      const scram = new ScramClient({
        hash: "SHA-256",
        username: "user",
        password: "default-cache-test",
        nonce: "abc",
      });
      scram.clientFirstMessage();
      await scram.clientFinalMessage("r=abcdef,s=ZGVmYXVsdC1jYWNoZS1zYWx0,i=4096");
    };
    await run();
    await run();
    assert.equal(defaultScramKeyCache.computations, before + 1);
  });
});

describe("ScramClient: options of the wrong type", () => {
  it("are coded errors, none a TypeError", () => {
    for (const options of [undefined, null]) {
      assert.throws(() => new ScramClient(options as never), {
        code: "INVALID_OPTION",
        message: 'the SCRAM hash must be "SHA-1" or "SHA-256"',
      });
    }
    assert.throws(
      () => new ScramClient({ hash: "SHA-256", username: "u", password: "p", cache: {} } as never),
      {
        code: "INVALID_OPTION",
        message: "option cache of new ScramClient() must be a ScramKeyCache",
      },
    );
  });
});
