// CLI: `main.ts [--config FILE]...` starts one reference server per config file and prints
// "listening HOST:PORT (FILE)" on stdout for each, in order, once it accepts connections. Without
// --config it starts the two "try it locally" fixtures of the README: testing/fixtures/server/local.json
// (SCRAM, AWS, OIDC, PLAIN on 127.0.0.1:27117) and local-x509.json (TLS and X509 on 127.0.0.1:27118).
// It runs until SIGINT/SIGTERM.
import process from "node:process";
import { relative } from "node:path";
import { fixturePath } from "../paths.ts";
import { readConfigFile } from "./config.ts";
import { type RunningServer, startServer } from "./server.ts";

const LOCAL_FIXTURES = ["server/local.json", "server/local-x509.json"];

function configPaths(args: readonly string[]): string[] {
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== "--config" || args[i + 1] === undefined) {
      throw new TypeError("usage: main.ts [--config FILE]...");
    }
    paths.push(args[++i]);
  }
  return paths.length > 0 ? paths : LOCAL_FIXTURES.map(fixturePath);
}

async function main(): Promise<void> {
  const servers: RunningServer[] = [];
  const stop = () => {
    Promise.all(servers.map((server) => server.close())).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  for (const path of configPaths(process.argv.slice(2))) {
    const server = await startServer(readConfigFile(path));
    servers.push(server);
    process.stdout.write(`listening ${server.address} (${relative(process.cwd(), path) || path})\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`reference server: ${(error as Error).message}\n`);
  process.exit(1);
});
