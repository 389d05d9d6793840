// The Server Selection and Max Staleness specs' tests (tests/spec/data/server-selection/server_selection
// and tests/spec/data/max-staleness, upstream 92b3c0b): every case builds the topology the file
// describes, checks the read preference as connect() does (readPreferenceFrom, then checkMaxStaleness for
// the topology), and compares the suitable servers and those in the 15 ms latency window. The rtt/ (a
// moving average of many heartbeats), in_window/ (operationCount-based choice, multi-threaded drivers)
// and logging/ folders are left out: connect() measures one hello per member and chooses at random
// within the window, as a single-threaded driver does.
import { describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { EJSON } from "bson";
import {
  type ServerDescription,
  type ServerType,
  unknownServer,
} from "../../src/topology/server-description.ts";
import type { TopologyDescription, TopologyType } from "../../src/topology/topology-description.ts";
import { checkMaxStaleness, readPreferenceFrom } from "../../src/topology/read-preference.ts";
import { inLatencyWindow, suitableServers } from "../../src/topology/server-selection.ts";
import { readSpec, specPath } from "../support/paths.ts";
import { specTally } from "../support/spec-tally.ts";
import { runtime } from "../support/transports.ts";

interface SpecServer {
  address: string;
  type: ServerType;
  avg_rtt_ms?: number;
  tags?: Record<string, string>;
  lastUpdateTime?: number;
  lastWrite?: { lastWriteDate: number };
  maxWireVersion?: number;
}

interface SelectionCase {
  heartbeatFrequencyMS?: number;
  topology_description: { type: TopologyType; servers: SpecServer[] };
  operation?: "read" | "write";
  read_preference?: { mode?: string; tag_sets?: Record<string, string>[]; maxStalenessSeconds?: number };
  suitable_servers?: SpecServer[];
  in_latency_window?: SpecServer[];
  error?: boolean;
  deprioritized_servers?: SpecServer[];
}

/** Every JSON file under a folder, as `folder/…/file.json`. */
function filesUnder(folder: string): string[] {
  return readdirSync(specPath(folder)).sort().flatMap((name) => {
    const path = `${folder}/${name}`;
    if (statSync(specPath(path)).isDirectory()) return filesUnder(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

function describeSpecServer(server: SpecServer): ServerDescription {
  return {
    ...unknownServer(server.address, undefined, server.lastUpdateTime ?? 0),
    type: server.type,
    ...(server.avg_rtt_ms !== undefined && { roundTripTime: server.avg_rtt_ms }),
    ...(server.lastWrite !== undefined && { lastWriteDate: Number(server.lastWrite.lastWriteDate) }),
    maxWireVersion: server.maxWireVersion ?? 21,
    tags: server.tags ?? {},
  };
}

// The files capitalise modes ("SecondaryPreferred"); the option is spelled "secondaryPreferred".
const modeOf = (mode: string | undefined) =>
  mode === undefined ? undefined : mode[0].toLowerCase() + mode.slice(1);

function select(test: SelectionCase): { suitable: string[]; window: string[] } {
  const topology: TopologyDescription = {
    type: test.topology_description.type,
    servers: new Map(test.topology_description.servers.map((s) => [s.address, describeSpecServer(s)])),
    compatible: true,
  };
  const given = test.read_preference ?? {};
  const readPreference = readPreferenceFrom({
    readPreference: modeOf(given.mode),
    readPreferenceTags: given.tag_sets,
    maxStalenessSeconds: given.maxStalenessSeconds,
  });
  const heartbeatFrequencyMS = test.heartbeatFrequencyMS ?? 10_000;
  checkMaxStaleness(readPreference, topology.type, heartbeatFrequencyMS);
  const deprioritized = new Set((test.deprioritized_servers ?? []).map((s) => s.address));
  const suitable = suitableServers(topology, test.operation ?? "read", readPreference, {
    heartbeatFrequencyMS,
    deprioritized,
  });
  return {
    suitable: suitable.map((s) => s.address).sort(),
    window: inLatencyWindow(suitable, 15).map((s) => s.address).sort(),
  };
}

for (
  const [folder, suite] of [["server-selection/server_selection", "server-selection"], [
    "max-staleness",
    "max-staleness",
  ]]
) {
  describe(`${suite} spec (${runtime})`, () => {
    const files = filesUnder(folder);
    const tally = specTally(`${suite} spec, ${files.length} files (${runtime})`);
    for (const file of files) {
      const test = EJSON.deserialize(readSpec<Record<string, unknown>>(file), {
        relaxed: true,
      }) as unknown as SelectionCase;
      tally.case(file.slice(folder.length + 1), () => {
        if (test.error) {
          assert.throws(() => select(test), { code: "INVALID_OPTION" });
          return;
        }
        const { suitable, window } = select(test);
        const addresses = (servers: SpecServer[] | undefined) => (servers ?? []).map((s) => s.address).sort();
        if (test.suitable_servers !== undefined) {
          assert.deepEqual(suitable, addresses(test.suitable_servers), "suitable");
        }
        assert.deepEqual(window, addresses(test.in_latency_window), "in latency window");
      });
    }
  });
}
