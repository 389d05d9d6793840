// CLI: `main.ts --config FILE` starts the reference server and prints "listening HOST:PORT" on
// stdout once it accepts connections. It runs until SIGINT/SIGTERM.
import process from "node:process";
import { readConfigFile } from "./config.ts";
import { startServer } from "./server.ts";

function configPath(args: readonly string[]): string {
  const index = args.indexOf("--config");
  const path = index >= 0 ? args[index + 1] : undefined;
  if (path === undefined) throw new TypeError("usage: main.ts --config FILE");
  return path;
}

async function main(): Promise<void> {
  const server = await startServer(readConfigFile(configPath(process.argv.slice(2))));
  process.stdout.write(`listening ${server.address}\n`);
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error) => {
  process.stderr.write(`reference server: ${(error as Error).message}\n`);
  process.exit(1);
});
