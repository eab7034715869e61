#!/usr/bin/env node
/**
 * The `egret-emulator` command: runs the Egret Organizations API emulator until SIGINT or SIGTERM.
 */

import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { parseArgs } from "node:util";

import type { EmulatorSeed } from "./seed";
import { DEFAULT_HOST, startEmulator } from "./server";
import type { RunningEmulator } from "./server";
import { parseJsonText } from "./json";
import { loadSeed } from "./state";

/** Port used when --port is not given. */
const DEFAULT_PORT = 8787;

/** Exit status for invalid command-line arguments. */
const EXIT_USAGE = 2;

const USAGE = `Usage: egret-emulator [--port N] [--host H] [--seed FILE]

Runs a local HTTP emulator of the Egret Organizations API (GET and PATCH /v1/orgs/),
with control endpoints under /_emulator/ for tests.

Options:
  --port N     TCP port to listen on, 0 to pick a free one. Default ${DEFAULT_PORT}.
  --host H     Address to listen on. Default ${DEFAULT_HOST}. The control endpoints need no
               authentication, so keep the emulator on a loopback address.
  --seed FILE  JSON file with the data to start from:
               {"domains": [...], "keys": {...}, "organizations": [...]}.
               Default: built-in demo data, API key egret_demo_key.
  --help       Print this help and exit.

When it is ready it prints one line, "Egret emulator listening on http://HOST:PORT",
and it stops on SIGINT or SIGTERM.
`;

/** An invalid command line. The message names the value and the fix. */
class UsageError extends Error {}

interface CommandLine {
  help: boolean;
  port: number;
  host: string;
  seed: EmulatorSeed | undefined;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) {
    return DEFAULT_PORT;
  }
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`invalid --port value "${text}": give an integer from 0 to 65535 (0 picks a free port)`);
  }
  return port;
}

function readSeedFile(file: string): EmulatorSeed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --seed file "${file}": ${(error as Error).message}`);
  }

  // The error names the line and column, never the text, because a seed file contains API keys.
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    throw new UsageError(`--seed file "${file}" is not valid JSON: ${parsed.error}`);
  }
  const value = parsed.value;

  // Checked here as well as in startEmulator, so that a bad seed is a usage error with exit status 2.
  const { problems } = loadSeed(value, Date.now() * 1000);
  if (problems.length > 0) {
    throw new UsageError(`--seed file "${file}" is not a valid seed: ${problems.join("; ")}`);
  }
  return value as EmulatorSeed;
}

function parseCommandLine(args: string[]): CommandLine {
  let values: { port?: string; host?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  if (values.help === true) {
    return { help: true, port: DEFAULT_PORT, host: DEFAULT_HOST, seed: undefined };
  }

  const host = values.host ?? DEFAULT_HOST;
  if (host.trim() === "") {
    throw new UsageError(`invalid --host value "${host}": give an address such as ${DEFAULT_HOST}`);
  }

  return {
    help: false,
    port: parsePort(values.port),
    host,
    seed: values.seed === undefined ? undefined : readSeedFile(values.seed),
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const address = `${host}:${port}`;
  if (error.code === "EADDRINUSE") {
    return `cannot listen on ${address}: the address is already in use. Stop the other process or pass another --port (0 picks a free port).`;
  }
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") {
    return `cannot listen on ${address}: no local interface has this address (${error.code}). Pass --host ${DEFAULT_HOST}.`;
  }
  if (error.code === "EACCES") {
    return `cannot listen on ${address}: permission denied. Pass a --port above 1023.`;
  }
  return `cannot listen on ${address}: ${error.message}`;
}

async function main(args: string[]): Promise<void> {
  let commandLine: CommandLine;
  try {
    commandLine = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      throw error;
    }
    process.stderr.write(`egret-emulator: ${error.message}\nRun egret-emulator --help to see the options.\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }

  if (commandLine.help) {
    process.stdout.write(USAGE);
    return;
  }

  if (!isLoopback(commandLine.host)) {
    process.stderr.write(
      `egret-emulator: warning: listening on ${commandLine.host}, which is not a loopback address. ` +
        "Anyone who can reach it can change the emulator through /_emulator/ without authentication.\n",
    );
  }

  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ port: commandLine.port, host: commandLine.host, seed: commandLine.seed });
  } catch (error) {
    process.stderr.write(`egret-emulator: ${describeListenError(error as NodeJS.ErrnoException, commandLine.host, commandLine.port)}\n`);
    process.exitCode = 1;
    return;
  }

  process.stdout.write(`Egret emulator listening on ${emulator.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal while closing stops at once.
      process.exit(1);
    }
    stopping = true;

    emulator.close().then(
      () => {
        process.stderr.write(`egret-emulator: stopped on ${signal}\n`);
      },
      (error: unknown) => {
        process.stderr.write(`egret-emulator: failed to close cleanly on ${signal}: ${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`egret-emulator: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
