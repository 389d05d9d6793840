/**
 * Regenerates the OIDC part of the "try it locally" fixture: a throw-away RSA key pair whose public
 * half goes into `testing/fixtures/server/local.json` (`oidc.jwks`), and one token signed with it for the
 * user `local-workload`, valid for 20000 days, in `testing/fixtures/server/local-oidc.jwt`. The private
 * key is never written: run this again to replace both. Nothing here is a real key or token.
 *
 *     deno run -A scripts/make-local-oidc.ts
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

const ISSUER = "https://idp.local.example";
const AUDIENCE = "mongodb-local";
const SUBJECT = "local-workload";
const DAYS = 20000;

const root = new URL("../testing/fixtures/server/", import.meta.url);
const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
const jwk = { ...(await exportJWK(publicKey)), kid: "local-1", alg: "RS256", use: "sig" };
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({})
  .setProtectedHeader({ alg: "RS256", kid: jwk.kid })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject(SUBJECT)
  .setIssuedAt(now)
  .setExpirationTime(now + DAYS * 86400)
  .sign(privateKey);

const configFile = new URL("local.json", root);
const config = JSON.parse(readFileSync(configFile, "utf8"));
config.oidc = { issuer: ISSUER, audience: AUDIENCE, clientId: "mongo-auth-local", jwks: { keys: [jwk] } };
writeFileSync(configFile, JSON.stringify(config, null, 2) + "\n");
writeFileSync(new URL("local-oidc.jwt", root), token + "\n");
console.log(`wrote ${configFile.pathname} (oidc) and local-oidc.jwt for ${SUBJECT}`);
