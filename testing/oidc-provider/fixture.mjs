// A real OpenID Connect identity provider for the tests: panva's oidc-provider (OpenID-certified) on
// 127.0.0.1 with a free port, run as a Node.js process by ./oidc-provider.ts so that the Deno and
// Bun test runs use it too (oidc-provider is a Node library; it never runs inside Deno or Bun here).
//
// Usage: node fixture.mjs '<settings JSON>'; prints one JSON line
// {"issuer": "http://127.0.0.1:PORT"} once it listens; stops on SIGTERM or when stdin closes.
//
// What it is configured as (settings in parentheses):
// - one public native client (clientId, default "mongo-auth-cli") with the redirect URI
//   http://127.0.0.1:27097/redirect registered; as RFC 8252 §7.3 asks, oidc-provider accepts any port
//   on a loopback IP for native clients, so the tests listen on a free port;
// - authorization code (PKCE required for public clients), refresh token and device code grants;
// - JWT access tokens for one resource (audience) with lifetime accessTokenTtl (seconds), signed with
//   an RS256 key made at start (no key in the repository), published at jwks_uri;
// - the provider's own development login and consent pages (devInteractions): any login name signs in,
//   the consent page has an abort link (access_denied);
// - the device code lives deviceCodeTtl seconds. oidc-provider sends no `interval` (clients then wait
//   the RFC's 5 s); the fixture adds `interval: pollInterval` (default 1) to the device authorization
//   response, as many identity providers send one, to keep the suite fast.
//
// GET /__events lists the grants the token endpoint issued ("authorization_code", "refresh_token", …),
// for tests that check which one a client used.
import { createServer } from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import process from "node:process";
import Provider from "oidc-provider";

const settings = {
  clientId: "mongo-auth-cli",
  audience: "api://mongo-auth-reference-server",
  accessTokenTtl: 3600,
  deviceCodeTtl: 600,
  pollInterval: 1,
  ...JSON.parse(process.argv[2] ?? "{}"),
};

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: randomUUID(), alg: "RS256", use: "sig" };

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const grants = [];

const provider = new Provider(issuer, {
  clients: [{
    client_id: settings.clientId,
    application_type: "native",
    token_endpoint_auth_method: "none",
    redirect_uris: ["http://127.0.0.1:27097/redirect"],
    grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
    response_types: ["code"],
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomUUID()] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  scopes: ["openid", "offline_access", "mongodb"],
  ttl: {
    AccessToken: settings.accessTokenTtl,
    DeviceCode: settings.deviceCodeTtl,
    IdToken: 3600,
    Grant: 3600,
    Interaction: 600,
    Session: 3600,
    RefreshToken: 86400,
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => settings.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "mongodb",
        audience: settings.audience,
        accessTokenFormat: "jwt",
        accessTokenTTL: settings.accessTokenTtl,
        jwt: { sign: { alg: "RS256" } },
      }),
    },
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === "/__events") {
    ctx.body = grants;
    return;
  }
  await next();
  if (ctx.path === "/device/auth" && ctx.status === 200 && ctx.body && typeof ctx.body === "object") {
    ctx.body = { ...ctx.body, interval: settings.pollInterval };
  }
});
provider.on("grant.success", (ctx) => grants.push(String(ctx.oidc.params.grant_type)));

server.on("request", provider.callback());
process.stdout.write(
  JSON.stringify({ issuer, clientId: settings.clientId, audience: settings.audience }) + "\n",
);

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.stdin.on("end", stop);
process.stdin.resume();
