// CLI: `main.ts [--stats] [--config FILE]...` starts one reference server per config file (a replica set for
// a config with `setName` and `members`, the mongoses of a sharded cluster for one with `mongoses`) and prints
// "listening ADDRESS (FILE)" on stdout for each, in order, once it accepts connections: its host:port, or the
// seed list of the set's members or of the mongoses. Without --config it starts the two
// "try it locally" fixtures of the README: testing/fixtures/server/local.json (SCRAM, AWS, OIDC, PLAIN on
// 127.0.0.1:27117) and local-x509.json (TLS and X509 on 127.0.0.1:27118). With --stats, each line "stats" on
// standard input is answered with one line, "stats " and a JSON array of every server's counters (a replica
// set's members or the mongoses in order): what a benchmark in another process reads of what its clients did. It runs until
// SIGINT/SIGTERM.
import process from "node:process";
import { relative } from "node:path";
import { fixturePath } from "../paths.ts";
import { lineReader } from "../lines.ts";
import { readConfigFile } from "./config.ts";
import { type ReplicaSetConfig, startReplicaSet } from "./replica-set.ts";
import { type RunningServer, startServer } from "./server.ts";
import { type ShardedClusterConfig, startShardedCluster } from "./sharded.ts";

const LOCAL_FIXTURES = ["server/local.json", "server/local-x509.json"];
const USAGE = "usage: main.ts [--stats] [--config FILE]...";

/** One config's servers, as started. */
interface Started {
  /** What a connection string names: host:port, or the replica set's seed list. */
  readonly address: string;
  readonly servers: readonly RunningServer[];
  close(): Promise<void>;
}

function parseArgs(args: readonly string[]): { paths: string[]; stats: boolean } {
  const paths: string[] = [];
  let stats = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--stats") {
      stats = true;
      continue;
    }
    if (args[i] !== "--config" || args[i + 1] === undefined) throw new TypeError(USAGE);
    paths.push(args[++i]);
  }
  return { paths: paths.length > 0 ? paths : LOCAL_FIXTURES.map(fixturePath), stats };
}

async function start(path: string): Promise<Started> {
  const config = readConfigFile(path);
  if ("members" in config) {
    const set = await startReplicaSet(config as ReplicaSetConfig);
    return { address: set.seedList(), servers: set.members, close: () => set.close() };
  }
  if ("mongoses" in config) {
    const cluster = await startShardedCluster(config as ShardedClusterConfig);
    const address = cluster.mongoses.map((mongos) => mongos.address).join(",");
    return { address, servers: cluster.mongoses, close: () => cluster.close() };
  }
  const server = await startServer(config);
  return { address: server.address, servers: [server], close: () => server.close() };
}

// Answers each "stats" line of standard input with the counters a benchmark compares.
function answerStats(started: readonly Started[]): void {
  process.stdin.on(
    "data",
    lineReader((line) => {
      if (line.trim() !== "stats") return;
      const counters = started.flatMap(({ servers }) =>
        servers.map(({ address, stats }) => ({
          address,
          connectionsOpened: stats.connectionsOpened,
          hellos: (stats.commands.hello ?? 0) + (stats.commands.isMaster ?? 0) +
            (stats.commands.ismaster ?? 0),
          authSuccesses: stats.authSuccesses,
        }))
      );
      process.stdout.write(`stats ${JSON.stringify(counters)}\n`);
    }),
  );
}

async function main(): Promise<void> {
  const { paths, stats } = parseArgs(process.argv.slice(2));
  const started: Started[] = [];
  const stop = () => {
    Promise.all(started.map((s) => s.close())).then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  for (const path of paths) {
    const running = await start(path);
    started.push(running);
    process.stdout.write(`listening ${running.address} (${relative(process.cwd(), path) || path})\n`);
  }
  if (stats) answerStats(started);
}

main().catch((error) => {
  process.stderr.write(`reference server: ${(error as Error).message}\n`);
  process.exit(1);
});
