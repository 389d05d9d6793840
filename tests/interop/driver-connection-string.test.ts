// Our connection-string parser against the official driver's: `new MongoClient(uri)` parses the string (it
// connects only when asked), and where both take a string they must read the same hosts, user, password,
// authentication database and mechanism, database, replicaSet, appName, TLS and OIDC environment. Where we
// part from the driver on purpose, the table of differences says why, and each difference is held to what it
// says. Generated strings (seeded, as the fuzzers are) then try the percent-decoding, hosts and option names
// of many more.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { parseConnectionString, parseCredential } from "@mongo-auth/core";
import { FUZZ_SEED, Prng } from "../hardening/fuzz.ts";

/** What a parser read from a connection string, in one shape for both. */
interface Reading {
  hosts: string[];
  user?: string;
  password?: string;
  source?: string;
  mechanism?: string;
  database: string;
  replicaSet?: string;
  appName?: string;
  tls: boolean;
  environment?: unknown;
  tokenResource?: unknown;
}

type Outcome = { reading: Reading; warnings: readonly string[] } | { refused: string };

// "" and absent are one for user and password: the driver writes "" where a mechanism takes none.
const orAbsent = (text: string | undefined) => text || undefined;

function ours(uri: string): Outcome {
  try {
    const cs = parseConnectionString(uri);
    const credential = parseCredential(uri);
    const options = cs.parsedOptions;
    const srv = cs.scheme === "mongodb+srv";
    const address = ({ host, port }: { host: string; port: number }) =>
      port === 0 ? host : `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const properties = credential?.mechanismProperties ?? {};
    return {
      reading: {
        hosts: srv ? [cs.hosts[0].host] : cs.hosts.map(address),
        user: orAbsent(credential?.username),
        password: orAbsent(credential?.password),
        source: credential?.source,
        mechanism: credential && (credential.mechanism ?? "DEFAULT"),
        database: cs.database ?? "test",
        replicaSet: options.replicaSet,
        appName: options.appName,
        tls: options.tls ?? options.ssl ?? srv,
        environment: properties.ENVIRONMENT,
        tokenResource: properties.TOKEN_RESOURCE,
      },
      warnings: cs.warnings,
    };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

function theDriver(uri: string): Outcome {
  try {
    const { options } = new MongoClient(uri);
    const credentials = options.credentials;
    return {
      reading: {
        hosts: options.srvHost ? [options.srvHost] : options.hosts.map((h) => h.socketPath ?? String(h)),
        user: orAbsent(credentials?.username),
        password: orAbsent(credentials?.password),
        source: credentials?.source,
        mechanism: credentials?.mechanism,
        database: options.dbName,
        replicaSet: options.replicaSet,
        appName: options.appName,
        tls: options.tls === true,
        environment: credentials?.mechanismProperties.ENVIRONMENT,
        tokenResource: credentials?.mechanismProperties.TOKEN_RESOURCE,
      },
      warnings: [],
    };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

function assertSameReading(uri: string): void {
  const [a, b] = [ours(uri), theDriver(uri)];
  assert.ok("reading" in a, `we refused ${uri}: ${"refused" in a ? a.refused : ""}`);
  assert.ok("reading" in b, `the driver refused ${uri}: ${"refused" in b ? b.refused : ""}`);
  assert.deepEqual(a.reading, b.reading, uri);
}

// Real strings: what Atlas, Azure Cosmos DB, Amazon DocumentDB, Docker and the manuals hand out.
const BOTH_READ_ALIKE = [
  "mongodb://localhost",
  "mongodb://alice:pw@localhost:27017/app",
  "mongodb://alice:pw@localhost/app?authSource=admin",
  "mongodb+srv://alice:pw@cluster0.abcde.mongodb.net/?retryWrites=true&w=majority&appName=Cluster0",
  "mongodb://alice:pw@cluster0-shard-00-00.abcde.mongodb.net:27017,cluster0-shard-00-01.abcde.mongodb.net:27017/" +
  "?ssl=true&replicaSet=atlas-xyz-shard-0&authSource=admin&retryWrites=true&w=majority",
  "mongodb://acc:KEY%3D%3D@acc.mongo.cosmos.azure.com:10255/?ssl=true&replicaSet=globaldb&retrywrites=false" +
  "&maxIdleTimeMS=120000&appName=@acc@",
  "mongodb://acc:KEY==@acc.mongo.cosmos.azure.com:10255?ssl=true&replicaSet=globaldb&appName=@acc@",
  "mongodb+srv://alice:pw@c.mongocluster.cosmos.azure.com/?tls=true&authMechanism=SCRAM-SHA-256" +
  "&retrywrites=false&maxIdleTimeMS=120000",
  "mongodb://user:pw@docdb.cluster-x.us-east-1.docdb.amazonaws.com:27017/?tls=true&tlsCAFile=global-bundle.pem" +
  "&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false",
  "mongodb://root:example@mongo:27017/",
  "mongodb://[::1]:27017/",
  "mongodb://%2Ftmp%2Fmongodb-27017.sock/",
  "mongodb://alice:pw@%2Ftmp%2Fmongodb-27017.sock/app",
  "mongodb://us%40er:p%40ss%3Aw%2Fd%3F@host/",
  "mongodb://HOST.Example.COM/",
  "mongodb://user:pw@host/?authmechanism=SCRAM-SHA-1&AUTHSOURCE=app",
  "mongodb://user:pw@host/?authMechanism=SCRAM-SHA-256&authSource=app",
  "mongodb://user:pw@host/app?authMechanism=PLAIN",
  "mongodb://host/?authMechanism=MONGODB-X509",
  "mongodb://CN%3Dclient%2COU%3Dapps@host/?authMechanism=MONGODB-X509&tls=true",
  "mongodb://host/?authMechanism=MONGODB-AWS",
  "mongodb://host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:api%3A%2F%2Fx",
  "mongodb://app-id@host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:azure,TOKEN_RESOURCE:r",
  "mongodb://host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:aud",
  "mongodb://host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s",
  "mongodb://user@host/?authMechanism=GSSAPI",
  "mongodb+srv://cluster0.x.mongodb.net/?tls=false",
  "mongodb://host/?readPreference=nearest&readPreferenceTags=dc:ny,rack:1&readPreferenceTags=",
  "mongodb://host/?compressors=zstd,snappy,zlib&zlibCompressionLevel=9",
  "mongodb://host/?tls=true&tlsInsecure=true",
  "mongodb://host?replicaSet=rs0",
  "mongodb://user:pw@host?authSource=admin",
];

const BOTH_REFUSE = [
  "mongodb://",
  "mongodb:/host",
  "http://host",
  "mongodb://host:65536/",
  "mongodb://host:abc/",
  "mongodb://alice:p@ss@host/",
  "mongodb://alice:pa/ss@host/",
  "mongodb://alice:pa:ss@host/",
  "mongodb://user:p%zzw@host/",
  "mongodb://host/?tls=true&ssl=false",
  "mongodb://h1,h2/?directConnection=true",
  "mongodb://h1,h2/?loadBalanced=true",
  "mongodb+srv://h1.x.net,h2.x.net/",
  "mongodb+srv://cluster0.x.mongodb.net:27017/",
  "mongodb+srv://cluster0.x.mongodb.net/?directConnection=true",
  "mongodb://user:pw@host/?authMechanism=MONGODB-CR",
  "mongodb://user:pw@host/?authMechanism=MONGODB-X509",
  "mongodb://host/?authMechanism=MONGODB-OIDC",
  "mongodb://host/?authMechanism=PLAIN",
  "mongodb://bob:pw%00x@host/?authMechanism=PLAIN",
  "mongodb://bob%00eve:pw@host/?authMechanism=PLAIN",
  "mongodb://host/?tls=yes",
  "mongodb://[::1:27017/",
];

/**
 * Where we part from the driver, and why: `we refuse` what it takes, `we warn` and go on where it throws (the
 * URI Options specification's rule: a value an option does not accept, a repeated or unknown option, is ignored
 * with a warning), `we take` what it refuses, without a warning.
 */
const DIFFERENCES: readonly [uri: string, we: "we refuse" | "we warn" | "we take", why: string][] = [
  ["mongodb://alice@host/", "we refuse", "no password for SCRAM: the driver fails only at the server"],
  ["mongodb://alice@host/?authMechanism=PLAIN", "we refuse", "PLAIN without a password, the same"],
  [
    "mongodb://a%00b:pw@host/",
    "we refuse",
    "RFC 5802 forbids a NUL in a SCRAM username: the driver fails at the server",
  ],
  ["mongodb://host/db%20space", "we refuse", 'the Connection String specification forbids / \\ space " $'],
  ["mongodb://host/%24external", "we refuse", "the same; users in $external are named with authSource"],
  ["mongodb://host//db", "we refuse", "a database name with a /"],
  ["mongodb://host,/", "we refuse", "an empty host: a mistake to say, not to skip"],
  ["mongodb://host:/", "we refuse", "an empty port, the same"],
  [
    "mongodb://user:pw@host/?authMechanism=SCRAM-SHA-1&authMechanismProperties=SERVICE_NAME:x",
    "we refuse",
    "the auth specification: SCRAM takes no mechanism properties",
  ],
  [
    "mongodb://CN%3Dx:@host/?authMechanism=MONGODB-X509",
    "we refuse",
    "the auth specification: X509 takes no password",
  ],
  ["mongodb://host/?connectTimeoutMS=abc", "we warn", "an integer option's value it does not accept"],
  ["mongodb://host/?localThresholdMS=-1", "we warn", "the same"],
  ["mongodb://host/?directConnection=yes", "we warn", "a boolean option's value it does not accept"],
  ["mongodb://host/?unknownOption=1", "we warn", "an unknown option"],
  ["mongodb://host/?appName=a&appName=b", "we warn", "a repeated option: the last wins"],
  ["mongodb://host/?maxConnecting=0", "we warn", "a value out of the option's range"],
  [
    "mongodb://AKID:SECRET@host/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:t",
    "we take",
    "pymongo's guide gives AWS keys in the string for temporary credentials; the auth specification and the " +
    "driver (since 6.0) now refuse them",
  ],
  [
    "mongodb://app@host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:gcp,TOKEN_RESOURCE:aud",
    "we take",
    "the auth specification lets a username go with any ENVIRONMENT but test; the driver only with azure",
  ],
  [
    "mongodb://app@host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s",
    "we take",
    "the same",
  ],
  [
    "mongodb://host/?authMechanism=MONGODB-OIDC&authMechanismProperties=ENVIRONMENT:k8s,TOKEN_RESOURCE:x",
    "we refuse",
    "the auth specification: TOKEN_RESOURCE goes only with azure and gcp",
  ],
  ["mongodb://host/?tlsDisableOCSPEndpointCheck=true", "we take", "a URI Options specification option"],
  ["mongodb://host/?tls=TRUE", "we take", "true and false in any case"],
  ["mongodb://[fe80::1%25eth0]:27017/", "we take", "an IPv6 address with its zone"],
  ["mongodb://host/?authMechanismProperties=", "we take", "no properties: an empty list"],
];

describe("the connection string as the official driver reads it", () => {
  it("strings from the field: both read the same parts", () => {
    for (const uri of BOTH_READ_ALIKE) assertSameReading(uri);
  });

  it("broken strings: both refuse", () => {
    for (const uri of BOTH_REFUSE) {
      assert.ok("refused" in ours(uri), `we took ${uri}`);
      assert.ok("refused" in theDriver(uri), `the driver took ${uri}`);
    }
  });

  it("each difference from the driver is the one the table gives, for the reason it gives", () => {
    for (const [uri, we, why] of DIFFERENCES) {
      const [a, b] = [ours(uri), theDriver(uri)];
      const context = `${uri} (${why})`;
      if (we === "we refuse") {
        assert.ok("refused" in a, `we took ${context}`);
        assert.ok("reading" in b, `the driver refused ${context}`);
        continue;
      }
      assert.ok("refused" in b, `the driver took ${context}`);
      assert.ok("reading" in a, `we refused ${context}`);
      assert.equal(a.warnings.length > 0, we === "we warn", `${context}: ${a.warnings.join("; ")}`);
    }
  });

  it(`generated strings (seed ${FUZZ_SEED}): both read the same parts`, () => {
    const rng = new Prng(FUZZ_SEED);
    for (let i = 0; i < 400; i++) assertSameReading(generated(rng));
  });
});

// Userinfo, hosts, a database and options of every kind both parsers take, each option once.
function generated(rng: Prng): string {
  const users = [
    "alice",
    "al%40ice",
    "CN%3Dx%2CO%3Dy",
    "user%3Aname",
    "u%20v",
    "%E2%82%AC",
    "a%2Fb",
    "a+b",
    "~a_b.c-",
  ];
  const passwords = [
    "pw",
    "p%40ss",
    "p%3Aw",
    "p%2Fw",
    "p%3Fw",
    "KEY==",
    "p%25w",
    "p+w",
    "p%20w",
    "%F0%9F%94%91",
  ];
  const hosts = [
    "localhost",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::1]:27018",
    "HOST.example.com",
    "h1:27018",
    "h1,h2",
    "h1:1,h2:2,h3:3",
    "%2Ftmp%2Fm.sock",
    "db-1.example.net:27017",
  ];
  const databases = ["", "/", "/app", "/App", "/a.b", "/a-b", "/admin", "/my%3Ddb"];
  const options = [
    "authSource=admin",
    "authSource=app",
    "authMechanism=SCRAM-SHA-1",
    "authMechanism=SCRAM-SHA-256",
    "authMechanism=PLAIN",
    "replicaSet=rs0",
    "REPLICASET=rs1",
    "tls=true",
    "ssl=true",
    "tls=false",
    "appName=App%20One",
    "appname=x",
    "readPreference=secondary",
    "readPreferenceTags=dc:ny",
    "w=majority",
    "retryWrites=false",
    "connectTimeoutMS=1000",
    "maxPoolSize=5",
    "tlsInsecure=true",
    "compressors=zlib",
    "journal=true",
    "readConcernLevel=local",
    "timeoutMS=100",
    "heartbeatFrequencyMS=600",
  ];
  const srv = rng.chance(0.2);
  const host = srv ? rng.pick(["cluster0.abc.mongodb.net", "x.y.net"]) : rng.pick(hosts);
  const userinfo = rng.chance(0.7) ? `${rng.pick(users)}:${rng.pick(passwords)}@` : "";
  const chosen = new Map<string, string>();
  for (let n = rng.int(5); n > 0; n--) {
    const option = rng.pick(options);
    // A mechanism named needs the user and password given (both parsers refuse it without).
    if (option.startsWith("authMechanism") && userinfo === "") continue;
    // tls and ssl are one option to both (and must agree).
    chosen.set(option.split("=")[0].toLowerCase().replace("ssl", "tls"), option);
  }
  const query = [...chosen.values()].join("&");
  const database = rng.pick(databases);
  const path = query === "" ? database : `${database || "/"}?${query}`;
  return `${srv ? "mongodb+srv" : "mongodb"}://${userinfo}${host}${path}`;
}
