// The server side of SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677) as mongod implements it
// (src/mongo/db/auth/sasl_scram_server_conversation.cpp): the same parsing, the same steps, the
// same stored credentials. Where mongod is looser than the RFC on the channel-binding attribute,
// this server follows the RFC (stricter), so it never accepts what mongod would reject.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { saslprep } from "@mongodb-js/saslprep";
import type { ServerConfig, UserConfig } from "../config.ts";
import { decodeBase64 } from "../base64.ts";
import { AuthFailure, CommandError } from "../errors.ts";
import type { SaslConversation, SaslMechanismServer, SaslStepResult, ServerAuthContext } from "../sasl.ts";

/** The two SCRAM hash functions MongoDB supports. */
export type ScramHash = "sha1" | "sha256";

/** What mongod stores per user and SCRAM mechanism (the `credentials.SCRAM-SHA-*` document). */
export interface ScramCredential {
  /** Base64 of the salt, exactly as sent in `s=`. */
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

/** Test hooks: fixed randomness so the RFC vectors can be replayed. */
export interface ScramServerOptions {
  /** The server's part of the combined nonce (mongod: base64 of 24 random bytes). */
  serverNonce?: () => string;
  /** The salt for stored credentials (mongod: hash length - 4 random bytes). */
  salt?: (length: number) => Uint8Array;
}

const MECHANISM_NAME: Record<ScramHash, string> = { sha1: "SCRAM-SHA-1", sha256: "SCRAM-SHA-256" };
const HASH_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32 };
/** HashBlock's Traits::name (crypto/sha1_block.h, sha256_block.h), as InvalidLength names it. */
const BLOCK_NAME: Record<ScramHash, string> = { sha1: "SHA1Block", sha256: "SHA256Block" };
const DEFAULT_ITERATIONS: Record<ScramHash, number> = { sha1: 10000, sha256: 15000 };
/** mongod refuses scramIterationCount / scramSHA256IterationCount below 5000. */
const MIN_ITERATIONS = 5000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The password as mongod feeds it to Hi(): SCRAM-SHA-1 uses hex(MD5(user + ":mongo:" + password))
 * over the raw (unescaped) user name; SCRAM-SHA-256 uses SASLprep(password).
 * @param hash which SCRAM
 * @param user the user name as created
 * @param password the plaintext password
 * @returns the string Hi() is keyed with
 * @throws Error when SASLprep prohibits a character of the password
 */
export function mongoScramPassword(hash: ScramHash, user: string, password: string): string {
  if (hash === "sha1") return createHash("md5").update(`${user}:mongo:${password}`, "utf8").digest("hex");
  return saslprep(password);
}

/**
 * Derives the stored credential from the password Hi() is keyed with.
 * @param hash which SCRAM
 * @param hiPassword the output of mongoScramPassword() (or the RFC's raw password in vectors)
 * @param salt the salt bytes
 * @param iterations the iteration count
 * @returns salt, iterations, StoredKey and ServerKey
 */
export function deriveScramCredential(
  hash: ScramHash,
  hiPassword: string,
  salt: Uint8Array,
  iterations: number,
): ScramCredential {
  const salted = pbkdf2Sync(Buffer.from(hiPassword, "utf8"), salt, iterations, HASH_LENGTH[hash], hash);
  const clientKey = hmac(hash, salted, "Client Key");
  return {
    salt: Buffer.from(salt).toString("base64"),
    iterations,
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: hmac(hash, salted, "Server Key"),
  };
}

/**
 * The server side of one SCRAM mechanism.
 * @param hash "sha1" for SCRAM-SHA-1, "sha256" for SCRAM-SHA-256
 * @param options fixed nonce/salt sources for tests
 * @returns the mechanism for the registry
 */
export function scramMechanism(hash: ScramHash, options: ScramServerOptions = {}): SaslMechanismServer {
  const serverNonce = options.serverNonce ?? randomNonce;
  const salt = options.salt ?? ((length: number) => randomBytes(length));
  return {
    name: MECHANISM_NAME[hash],
    storeCredential(user: UserConfig, config: ServerConfig): ScramCredential {
      if (user.password === undefined) {
        throw new TypeError(`user ${user.user} needs a password for ${this.name}`);
      }
      const iterations = iterationCount(hash, config);
      return deriveScramCredential(
        hash,
        mongoScramPassword(hash, user.user, user.password),
        salt(HASH_LENGTH[hash] - 4),
        iterations,
      );
    },
    start(ctx: ServerAuthContext): SaslConversation {
      return new ScramConversation(hash, ctx, skipEmptyExchange(ctx.options), serverNonce);
    },
  };
}

/** The server's part of the nonce, as mongod makes it: 24 random bytes, base64. */
const NONCE_BYTES = 24;
/** Random bytes for 256 nonces, filled by one getRandomValues call; each byte is used once. */
const noncePool = new Uint8Array(NONCE_BYTES * 256);
let nonceOffset = noncePool.length;

function randomNonce(): string {
  if (nonceOffset === noncePool.length) {
    crypto.getRandomValues(noncePool);
    nonceOffset = 0;
  }
  const nonce = Buffer.from(noncePool.buffer, nonceOffset, NONCE_BYTES).toString("base64");
  nonceOffset += NONCE_BYTES;
  return nonce;
}

function iterationCount(hash: ScramHash, config: ServerConfig): number {
  const configured = hash === "sha1" ? config.scram?.iterationsSha1 : config.scram?.iterationsSha256;
  const iterations = configured ?? DEFAULT_ITERATIONS[hash];
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS) {
    throw new TypeError(`SCRAM iteration count must be an integer >= ${MIN_ITERATIONS} (as mongod requires)`);
  }
  return iterations;
}

/** mongod's setOptions(): a non-boolean skipEmptyExchange fails saslStart with BadValue. */
function skipEmptyExchange(options: Readonly<Record<string, unknown>>): boolean {
  const value = options.skipEmptyExchange;
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new CommandError(2, "skipEmptyExchange must be boolean");
  return value;
}

/** RFC 5802 user names escape ',' and '=' as =2C and =3D; mongod decodes with two replace-alls. */
function decodeUsername(name: string): string {
  // Most names escape nothing, and then there is nothing to replace.
  if (!name.includes("=")) return name;
  return name.split("=2C").join(",").split("=3D").join("=");
}

class ScramConversation implements SaslConversation {
  #step = 0;
  #principal = "";
  #gs2Header = "";
  #nonce = "";
  #authMessage = "";
  #credential: ScramCredential | undefined;

  constructor(
    private readonly hash: ScramHash,
    private readonly ctx: ServerAuthContext,
    private readonly skipEmpty: boolean,
    private readonly serverNonce: () => string,
  ) {}

  // deno-lint-ignore require-await -- async so that every failure is a rejection
  async step(payload: Uint8Array): Promise<SaslStepResult> {
    this.#step++;
    const totalSteps = this.skipEmpty ? 2 : 3;
    if (this.#step > totalSteps) throw new AuthFailure(`Invalid SCRAM authentication step: ${this.#step}`);
    if (this.#step === 1) return this.#first(decode(payload));
    if (this.#step === 2) return this.#second(decode(payload));
    // mongod's third step ignores the (empty) payload and completes the conversation.
    return this.#done("");
  }

  /** client-first-message → server-first-message. */
  #first(input: string): SaslStepResult {
    const cbindComma = input.indexOf(",");
    if (cbindComma < 0) throw new AuthFailure("Incorrect number of arguments for first SCRAM client message");
    const cbindFlag = input.slice(0, cbindComma);
    if (cbindFlag.startsWith("p=")) throw new AuthFailure("Server does not support channel binding");
    if (cbindFlag !== "y" && cbindFlag !== "n") {
      throw new AuthFailure("Incorrect SCRAM client message prefix");
    }
    const headerComma = input.indexOf(",", cbindComma + 1);
    if (headerComma < 0) {
      throw new AuthFailure("Incorrect number of arguments for first SCRAM client message");
    }
    let authzId = input.slice(cbindComma + 1, headerComma);
    if (authzId !== "") {
      if (!authzId.startsWith("a=")) throw new AuthFailure("Incorrect SCRAM authzid");
      authzId = authzId.slice(2);
    }
    this.#gs2Header = input.slice(0, headerComma + 1);
    const bare = input.slice(headerComma + 1);
    if (bare.startsWith("m=")) throw new AuthFailure("SCRAM mandatory extensions are not supported");
    const fields = bare.split(",").filter((f) => f !== "");
    if (fields.length < 2) {
      throw new AuthFailure("Incorrect number of arguments for first SCRAM client message");
    }
    if (!fields[0].startsWith("n=") || fields[0].length < 3) throw new AuthFailure("Invalid SCRAM user name");
    this.#principal = decodeUsername(fields[0].slice(2));
    if (authzId !== "" && authzId !== this.#principal) {
      throw new AuthFailure("SCRAM user name does not match authzid");
    }
    if (!fields[1].startsWith("r=") || fields[1].length < 6) {
      throw new AuthFailure("Invalid SCRAM client nonce");
    }
    this.#credential = this.#lookUpCredential();
    this.#nonce = fields[1].slice(2) + this.serverNonce();
    const serverFirst = `r=${this.#nonce},s=${this.#credential.salt},i=${this.#credential.iterations}`;
    this.#authMessage = `${bare},${serverFirst}`;
    return { payload: encode(serverFirst), done: false };
  }

  #lookUpCredential(): ScramCredential {
    const user = this.ctx.findUser(this.#principal, this.ctx.db);
    if (user === undefined) throw new AuthFailure("UserNotFound");
    const credential = user.credentials.get(MECHANISM_NAME[this.hash]) as ScramCredential | undefined;
    if (credential === undefined) {
      throw new AuthFailure(
        `Unable to use ${MECHANISM_NAME[this.hash]} based authentication for user without any ${
          MECHANISM_NAME[this.hash]
        } credentials registered`,
      );
    }
    return credential;
  }

  /** client-final-message → server-final-message (v=ServerSignature). */
  #second(input: string): SaslStepResult {
    const lastComma = input.lastIndexOf(",");
    if (lastComma < 0) throw new AuthFailure("Incorrect number of arguments for second SCRAM client message");
    const withoutProof = input.slice(0, lastComma);
    this.#authMessage += `,${withoutProof}`;
    const proofField = input.slice(lastComma + 1);
    if (proofField.length < 3 || !proofField.startsWith("p=")) {
      throw new AuthFailure("Incorrect SCRAM ClientProof");
    }
    const fields = withoutProof.split(",").filter((f) => f !== "");
    if (fields.length < 2) {
      throw new AuthFailure("Incorrect number of arguments for second SCRAM client message");
    }
    if (!fields[0].startsWith("c=") || fields[0].length < 3) {
      throw new AuthFailure("Incorrect SCRAM channel binding");
    }
    if (!fields[1].startsWith("r=") || fields[1].length < 6) {
      throw new AuthFailure("Incorrect SCRAM client|server nonce");
    }
    if (fields[1].slice(2) !== this.#nonce) {
      throw new AuthFailure("Unmatched SCRAM nonce received from client in second step");
    }
    const proof = this.#decodeProof(proofField.slice(2));
    // RFC 5802: c= is base64 of the gs2-header; without channel binding that is "biws" for "n,,". Checked
    // after the proof's decoding, so that what mongod refuses there gets mongod's code.
    if (fields[0].slice(2) !== Buffer.from(this.#gs2Header, "utf8").toString("base64")) {
      throw new AuthFailure("Unexpected SCRAM channel binding");
    }
    const credential = this.#credential!;
    if (!this.#verifyProof(credential, proof)) {
      throw new AuthFailure("SCRAM authentication failed, storedKey mismatch");
    }
    const serverSignature = hmac(this.hash, credential.serverKey, this.#authMessage).toString("base64");
    const reply = `v=${serverSignature}`;
    return this.skipEmpty ? this.#done(reply) : { payload: encode(reply), done: false };
  }

  /**
   * _secondStep's base64::decode and Secrets::verifyClientProof's HashBlock::fromBuffer (under
   * uassertStatusOK, crypto/mechanism_scram.h): both throw instead of returning a Status, so doSaslStep
   * does not turn them into 18 and the client gets 10270 / 40537 (base64.ts) or 16 InvalidLength.
   */
  #decodeProof(proofBase64: string): Uint8Array {
    const proof = decodeBase64(proofBase64);
    if (proof.length !== HASH_LENGTH[this.hash]) {
      throw new CommandError(16, `Unsupported ${BLOCK_NAME[this.hash]} hash length: ${proof.length}`);
    }
    return proof;
  }

  #verifyProof(credential: ScramCredential, proof: Uint8Array): boolean {
    const clientSignature = hmac(this.hash, credential.storedKey, this.#authMessage);
    const clientKey = proof.map((byte, i) => byte ^ clientSignature[i]);
    const storedKey = createHash(this.hash).update(clientKey).digest();
    return timingSafeEqual(storedKey, credential.storedKey);
  }

  #done(reply: string): SaslStepResult {
    this.ctx.authenticated(this.#principal, this.ctx.db);
    return { payload: encode(reply), done: true };
  }
}

function hmac(hash: ScramHash, key: Uint8Array, text: string): Buffer {
  return createHmac(hash, key).update(text, "utf8").digest();
}

function decode(payload: Uint8Array): string {
  try {
    return utf8.decode(payload);
  } catch {
    throw new AuthFailure("SCRAM message is not valid UTF-8");
  }
}

function encode(text: string): Uint8Array {
  const bytes = Buffer.from(text, "utf8");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}
