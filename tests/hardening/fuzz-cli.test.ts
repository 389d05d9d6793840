// Fuzz: the command line — argv made of mongosh's options, the CLI's own flags, connection strings and
// addresses, with secrets (passwords, key passphrases, session tokens) planted where a person types them,
// and mutated. cliMain settles with an exit code the usage names (0, 1, 2 or 130), and no line it writes holds
// a secret, whatever was mistyped around it. No socket opens: connect() runs with a transport that refuses
// them. See fuzz.ts for the rules and the long-mode command.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connectWith } from "@mongo-auth/core";
import { cliMain } from "../../src/cli/main.ts";
import { failureMessage, fuzzCases, mutateText, type Prng, runFuzz } from "./fuzz.ts";
import { noNetworkTransport } from "./no-network.ts";

const HOSTS = ["db.example.net", "127.0.0.1:27017", "rs0/a.example.net,b.example.net:27018", "[::1]", "app"];
const OPTIONS = [
  "--explain",
  "--json",
  "--tls",
  "--tls=false",
  "--retryWrites=false",
  "--oidcTrustedEndpoint",
  "--authenticationDatabase",
  "--authenticationMechanism",
  "--oidcFlows",
  "--apiVersion",
  "--tlsCAFile",
  "--host",
  "--port",
  "-u",
  "-h",
  "--frob",
];
const VALUES = [
  "admin",
  "$external",
  "SCRAM-SHA-256",
  "MONGODB-OIDC",
  "PLAIN",
  "device-auth",
  "1",
  "27017",
  "ca.pem",
];

// A secret no message could hold by chance: letters and digits, sometimes led by "-".
function secret(rng: Prng): string {
  const body = Array.from({ length: 12 }, () => "abcdefghijkmnpqrstuvwxyz23456789"[rng.int(32)]).join("");
  return (rng.chance(0.2) ? "-" : "") + "S" + body;
}

// One command line: the command, a connection string (holding a password) or an address or --host, login
// options with secret values, the CLI's own flags; then, sometimes, one argument mutated. A secret that the
// mutation wrote into its argument (--passworS3cret) is no longer where a person types one, and no parser can
// tell it from an option's name: it leaves the list of secrets held to the check.
function commandLine(rng: Prng, secrets: string[]): string[] {
  const keep = (s: string) => (secrets.push(s), s);
  const parts: string[][] = [["whoami"]];
  switch (rng.int(4)) {
    case 0:
      parts.push([`mongodb://alice:${keep(secret(rng))}@db.example.net/?authMechanism=SCRAM-SHA-256`]);
      break;
    case 1:
      parts.push([rng.pick(HOSTS)]);
      break;
    case 2:
      parts.push(["--host", rng.pick(HOSTS)]);
      break;
  }
  for (let n = rng.int(6); n > 0; n--) {
    switch (rng.int(8)) {
      case 0:
        parts.push(["-p", keep(secret(rng))]);
        break;
      case 1:
        parts.push([`--password=${keep(secret(rng))}`]);
        break;
      case 2:
        parts.push(["--tlsCertificateKeyFilePassword", keep(secret(rng))]);
        break;
      case 3:
        parts.push(["--awsIamSessionToken", keep(secret(rng))]);
        break;
      case 4:
        parts.push(["-p"]);
        break;
      case 5:
        parts.push(["--username", "alice"]);
        break;
      default:
        parts.push(rng.chance(0.5) ? [rng.pick(OPTIONS), rng.pick(VALUES)] : [rng.pick(OPTIONS)]);
    }
  }
  const line = shuffled(rng, parts.slice(1)).flat();
  line.splice(rng.int(2) === 0 ? 0 : rng.int(line.length + 1), 0, "whoami");
  if (rng.chance(0.3) && line.length > 0) {
    const at = rng.int(line.length);
    line[at] = mutateText(rng, line[at]);
    const mangled = secrets.filter((s) => line[at].includes(s.replace(/^-/, "")));
    for (const s of mangled) secrets.splice(secrets.indexOf(s), 1);
  }
  return line;
}

function shuffled<T>(rng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

describe("fuzz: the command line", () => {
  it("argv with secrets where a person types them: an exit code, and no secret in any line written", async () => {
    const report = await runFuzz("the command line", fuzzCases(1500), async (rng) => {
      const secrets: string[] = [];
      const args = commandLine(rng, secrets);
      const typed = secret(rng);
      secrets.push(typed);
      const envPassword = secret(rng);
      secrets.push(envPassword);
      const fromEnv = `mongodb://bob:${envPassword}@db.example.net/`;
      const lines: string[] = [];
      const code = await cliMain(
        {
          args,
          out: (line) => lines.push(line),
          err: (line) => lines.push(line),
          getEnv: (name) => (name === "MONGODB_URI" && rng.chance(0.5) ? fromEnv : undefined),
          readSecret: () => Promise.resolve(rng.chance(0.8) ? typed : null),
          promptTimeoutMs: 1000,
        },
        (uri, options) => connectWith(noNetworkTransport, uri, { ...options, connectTimeoutMS: 500 }),
      );
      if (![0, 1, 2, 130].includes(code)) throw new Error(`exit code ${code} for ${JSON.stringify(args)}`);
      const shown = lines.join("\n");
      const leaked = secrets.find((s) => shown.includes(s.replace(/^-/, "")));
      if (leaked !== undefined) {
        throw new Error(`a secret in the output of ${JSON.stringify(args)}: ${shown}`);
      }
    });
    assert.equal(report.failures.length, 0, failureMessage(report));
  });
});
