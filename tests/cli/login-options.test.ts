// mongosh's login options as `mongo-auth whoami` takes them: the names and forms mongosh's own parser
// (yargs-parser in mongodb-js/mongosh, packages/arg-parser) accepts, mapped to connect()'s options as
// mongosh's arg-mapper maps them to the driver's, and the problems said without the value that caused them.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  addressConnectionString,
  connectOptionsOf,
  hostConnectionString,
  signInOptionsOf,
  takeLoginOptions,
} from "../../src/cli/login-options.ts";

const URI = "mongodb+srv://cluster0.example.mongodb.net/";

describe("mongosh's login options", () => {
  it("takes the command MongoDB Atlas's Connect dialog gives for a password user", () => {
    const taken = takeLoginOptions(["whoami", URI, "--apiVersion", "1", "--username", "alice"]);
    assert.deepEqual(taken.args, ["whoami", URI]);
    assert.deepEqual(connectOptionsOf(taken), { username: "alice", serverApi: { version: "1" } });
    assert.equal(taken.problem, undefined);
  });

  it("takes `--name value`, `--name=value` and the short -u and -p, anywhere on the line", () => {
    const taken = takeLoginOptions([
      "-u",
      "alice",
      "whoami",
      "--password=pa=ss",
      URI,
      "--authenticationDatabase=app",
      "--authenticationMechanism",
      "SCRAM-SHA-1",
      "--explain",
    ]);
    assert.deepEqual(taken.args, ["whoami", URI, "--explain"]);
    assert.deepEqual(connectOptionsOf(taken), {
      username: "alice",
      password: "pa=ss",
      authSource: "app",
      authMechanism: "SCRAM-SHA-1",
    });
  });

  it("takes the TLS options of Atlas's X509 command and the rest of mongosh's, with =true or =false after a switch", () => {
    const taken = takeLoginOptions([
      "whoami",
      URI,
      "--tls",
      "--tlsCertificateKeyFile",
      "client.pem",
      "--tlsCAFile=ca.pem",
      "--tlsCertificateKeyFilePassword",
      "key-pw",
      "--tlsCRLFile",
      "crl.pem",
      "--tlsAllowInvalidHostnames=true",
      "--tlsAllowInvalidCertificates=false",
    ]);
    assert.deepEqual(taken.args, ["whoami", URI]);
    assert.deepEqual(connectOptionsOf(taken), {
      tls: true,
      tlsAllowInvalidHostnames: true,
      tlsAllowInvalidCertificates: false,
      tlsCertificateKeyFile: "client.pem",
      tlsCAFile: "ca.pem",
      tlsCertificateKeyFilePassword: "key-pw",
      tlsCRLFile: "crl.pem",
    });
  });

  it("--awsIamSessionToken is MONGODB-AWS's session token, beside the keys as --username and --password", () => {
    const taken = takeLoginOptions([
      "whoami",
      URI,
      "-u",
      "AKIDEXAMPLE",
      "-p",
      "secret",
      "--awsIamSessionToken",
      "tok",
    ]);
    assert.deepEqual(connectOptionsOf(taken), {
      username: "AKIDEXAMPLE",
      password: "secret",
      authMechanismProperties: { AWS_SESSION_TOKEN: "tok" },
    });
  });

  it("mongosh's OIDC options are the sign-in's, not connect()'s: --oidcFlows (the first listed is used), --oidcRedirectUri, --oidcTrustedEndpoint", () => {
    const taken = takeLoginOptions([
      "whoami",
      URI,
      "--oidcFlows",
      "device-auth,auth-code",
      "--oidcRedirectUri=http://127.0.0.1:0/cb",
      "--oidcTrustedEndpoint",
    ]);
    assert.deepEqual(taken.args, ["whoami", URI]);
    assert.deepEqual(connectOptionsOf(taken), {});
    assert.deepEqual(signInOptionsOf(taken), { flow: "device", redirectUri: "http://127.0.0.1:0/cb" });
    assert.equal(taken.switches.oidcTrustedEndpoint, true);
    assert.deepEqual(signInOptionsOf(takeLoginOptions(["whoami", URI, "--oidcFlows=auth-code"])), {
      flow: "code",
    });
    assert.equal(
      takeLoginOptions(["whoami", URI, "--oidcFlows", "browser"]).problem,
      "--oidcFlows takes auth-code, device-auth, or both: auth-code,device-auth",
    );
  });

  // The command's own flags, which login options do not know.
  const OWN = new Set(["--explain", "--json"]);

  it("-p alone, last or before another option or the connection string, is a password to ask for", () => {
    for (
      const line of [
        ["whoami", URI, "-u", "alice", "-p"],
        ["whoami", "-u", "alice", "-p", "--explain", URI],
        ["whoami", "-u", "alice", "-p", "--tls", URI],
        ["whoami", "-u", "alice", "-p", URI],
        ["whoami", "-u", "alice", "--password", "mongodb://db.example.net/"],
        ["whoami", URI, "-u", "alice", "--password="],
      ]
    ) {
      const taken = takeLoginOptions(line, OWN);
      assert.equal(taken.values.password, "", line.join(" "));
      assert.equal(taken.problem, undefined, line.join(" "));
      assert.equal(connectOptionsOf(taken).password, undefined, "no password: the CLI asks for it");
      assert.equal(
        taken.args.filter((arg) => arg.startsWith("mongodb")).length,
        1,
        "the string stays the string",
      );
    }
  });

  it("a secret that starts with '-' is the value, not an option this command would name as unknown", () => {
    const taken = takeLoginOptions(
      ["whoami", URI, "-u", "AKID", "-p", "-s3cret", "--awsIamSessionToken", "--tok", "--json"],
      OWN,
    );
    assert.deepEqual(taken.args, ["whoami", URI, "--json"]);
    assert.equal(taken.problem, undefined);
    assert.deepEqual(connectOptionsOf(taken), {
      username: "AKID",
      password: "-s3cret",
      authMechanismProperties: { AWS_SESSION_TOKEN: "--tok" },
    });
    // A value that is not secret is not taken: "-x" stays an option, named as unknown by the command.
    assert.equal(
      takeLoginOptions(["whoami", URI, "--username", "-x"], OWN).problem,
      "--username needs a value",
    );
  });

  it("an option without its value, given twice, or a switch with another value is a problem that never repeats a value", () => {
    const cases: [string[], string][] = [
      [["whoami", URI, "--username"], "--username needs a value"],
      [["whoami", URI, "-u", "--explain"], "-u needs a value"],
      [["whoami", URI, "--authenticationDatabase="], "--authenticationDatabase needs a value"],
      [["whoami", URI, "--apiVersion"], "--apiVersion needs a version: --apiVersion 1"],
      [["whoami", "--apiVersion=2", URI], "--apiVersion takes 1, the Stable API version there is"],
      [["whoami", URI, "-p", "s3cret", "--password", "s3cret2"], "--password is given twice: give it once"],
      [["whoami", URI, "--tls", "--tls"], "--tls is given twice: give it once"],
      [["whoami", URI, "--tls=s3cret"], "--tls is on or off: give it alone, or =true or =false"],
    ];
    for (const [line, problem] of cases) {
      assert.equal(takeLoginOptions(line).problem, problem, line.join(" "));
    }
  });

  it("an option needs its value wherever it stands: last with no connection string, or before one (never its value)", () => {
    const cases: [string[], string][] = [
      [["whoami", "--username"], "--username needs a value"],
      [["whoami", "-u"], "-u needs a value"],
      [["whoami", "--tlsCAFile"], "--tlsCAFile needs a value"],
      [["whoami", "-u", URI], "-u needs a value"],
      [["whoami", "--tlsCAFile", URI, "-u", "alice"], "--tlsCAFile needs a value"],
      [["whoami", "--awsIamSessionToken", URI], "--awsIamSessionToken needs a value"],
    ];
    for (const [line, problem] of cases) {
      const taken = takeLoginOptions(line, OWN);
      assert.equal(taken.problem, problem, line.join(" "));
      // The string stays the string, for the command to connect to once the option has its value.
      assert.equal(taken.args.includes(URI), line.includes(URI), line.join(" "));
    }
  });

  it("--host and --port make the connection string the mongo shell's scripts give: a replica set's name, hosts, ports", () => {
    const cases: [string[], string][] = [
      [["--host", "db.example.net"], "mongodb://db.example.net:27017/"],
      [["--host", "db.example.net:27018"], "mongodb://db.example.net:27018/"],
      [["--port", "27018"], "mongodb://127.0.0.1:27018/"],
      [["--host=db", "--port=27020"], "mongodb://db:27020/"],
      [
        ["--host", "rs0/a.example.net,b.example.net:27019"],
        "mongodb://a.example.net:27017,b.example.net:27019/?replicaSet=rs0",
      ],
      [["--host", "[::1]:27017"], "mongodb://[::1]:27017/"],
    ];
    for (const [options, uri] of cases) {
      const taken = takeLoginOptions(["whoami", ...options]);
      assert.equal(taken.problem, undefined, options.join(" "));
      assert.equal(hostConnectionString(taken), uri, options.join(" "));
      assert.deepEqual(taken.args, ["whoami"]);
    }
    assert.equal(hostConnectionString(takeLoginOptions(["whoami", URI])), undefined);
    const problems: [string[], string][] = [
      [["--host", "db/with/slashes"], "--host takes [<replicaSet>/]<host>[:<port>][,<host>[:<port>]…]"],
      [["--host", "mongodb://db"], "--host takes [<replicaSet>/]<host>[:<port>][,<host>[:<port>]…]"],
      [["--host", "/db"], "--host takes [<replicaSet>/]<host>[:<port>][,<host>[:<port>]…]"],
      [["--port", "http"], "--port takes a port number"],
      [
        ["--host", "db:27018", "--port", "27019"],
        "--host names a port that is not --port's: give the port once",
      ],
    ];
    for (const [options, problem] of problems) {
      assert.equal(takeLoginOptions(["whoami", ...options]).problem, problem, options.join(" "));
    }
  });

  it("a positional address as mongosh takes one (AWS DocumentDB's connect command), and the mongo shell's --ssl… names", () => {
    const cases: [string, string][] = [
      [
        "docdb.cluster-x.us-east-1.docdb.amazonaws.com:27017",
        "mongodb://docdb.cluster-x.us-east-1.docdb.amazonaws.com:27017/",
      ],
      ["db.example.net", "mongodb://db.example.net:27017/"],
      ["db.example.net:27018/app", "mongodb://db.example.net:27018/app"],
      ["app", "mongodb://127.0.0.1:27017/app"],
      ["mongodb://alice@db.example.net/", "mongodb://alice@db.example.net/"],
      ["mongodb+srv://cluster0.example.mongodb.net/", "mongodb+srv://cluster0.example.mongodb.net/"],
      // Not an address: left for connect() to refuse with its own words.
      ["alice:pw@db.example.net", "alice:pw@db.example.net"],
      ["db.example.net/a.b", "db.example.net/a.b"],
    ];
    for (const [operand, uri] of cases) assert.equal(addressConnectionString(operand), uri, operand);
    const docdb = takeLoginOptions([
      "whoami",
      "--ssl",
      "--sslCAFile",
      "global-bundle.pem",
      "--sslPEMKeyFile=client.pem",
      "--retryWrites=false",
      "--sslAllowInvalidHostnames",
    ]);
    assert.equal(docdb.problem, undefined);
    assert.deepEqual(docdb.args, ["whoami"]);
    assert.deepEqual(connectOptionsOf(docdb), {
      tls: true,
      tlsAllowInvalidHostnames: true,
      tlsCAFile: "global-bundle.pem",
      tlsCertificateKeyFile: "client.pem",
    });
  });

  it("leaves everything else to the CLI: its own flags, unknown options, the command and the string", () => {
    const line = ["whoami", "--json", "--verbose", "db", URI];
    const taken = takeLoginOptions(line);
    assert.deepEqual(taken.args, line);
    assert.deepEqual(connectOptionsOf(taken), {});
  });
});
