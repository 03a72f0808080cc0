/**
 * A note `sma local` keeps while it runs, naming the DynamoDB Local it
 * serves, so that `sma import` into that DynamoDB Local knows live traffic
 * shares it and leaves that traffic room (CLI_SHARED_IN_FLIGHT).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { projectRoot } from '../lib/project-root';

/** Where the local stack keeps its state (stream checkpoints, on-failure files, this note), in the sma folder. */
export const localStateDir = (root: string = projectRoot()): string => join(root, '.sma-local');

const markerSchema = z.object({ pid: z.number().int(), port: z.string() });

const markerPath = (stateDir: string): string => join(stateDir, 'stack.json');

/** The port a loopback endpoint URL names, or undefined for any other endpoint. */
function loopbackPort(endpoint: string): string | undefined {
  try {
    const url = new URL(endpoint);
    return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) ? url.port || '80' : undefined;
  } catch {
    return undefined;
  }
}

/** Notes that this process serves a stack on `dynamodbEndpoint`; removeStackMarker takes it back. */
export function writeStackMarker(stateDir: string, dynamodbEndpoint: string): void {
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(markerPath(stateDir), JSON.stringify({ pid: process.pid, port: loopbackPort(dynamodbEndpoint) ?? '' }));
}

/** Removes the note, if it is this process's. */
export function removeStackMarker(stateDir: string): void {
  if (readMarker(stateDir)?.pid === process.pid) rmSync(markerPath(stateDir), { force: true });
}

function readMarker(stateDir: string): z.infer<typeof markerSchema> | undefined {
  if (!existsSync(markerPath(stateDir))) return undefined;
  const parsed = markerSchema.safeParse(JSON.parse(readFileSync(markerPath(stateDir), 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    // EPERM: it runs, as another user.
    return typeof e === 'object' && e !== null && 'code' in e && e.code === 'EPERM';
  }
}

/** True when a running `sma local` serves the DynamoDB Local at `endpoint`. */
export function stackRunsOn(stateDir: string, endpoint: string | undefined): boolean {
  const port = endpoint === undefined ? undefined : loopbackPort(endpoint);
  const marker = port === undefined ? undefined : readMarker(stateDir);
  return marker !== undefined && marker.port === port && isRunning(marker.pid);
}
