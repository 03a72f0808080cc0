/**
 * A process and everything it started, read from /proc (Linux): how much
 * memory they hold together and how much CPU they have used.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

function stat(pid: number): { ppid: number; cpuTicks: number; rssPages: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are positional.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
  } catch {
    return undefined;
  }
}

/** The pid and every descendant's. */
export function treePids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() ?? root;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resident memory of the whole tree, in bytes. */
export function treeRssBytes(root: number): number {
  return treePids(root).reduce((sum, pid) => sum + (stat(pid)?.rssPages ?? 0) * PAGE_BYTES, 0);
}

/** CPU seconds the tree's live processes have used. */
export function treeCpuSeconds(root: number): number {
  return treePids(root).reduce((sum, pid) => sum + (stat(pid)?.cpuTicks ?? 0) / TICKS_PER_SECOND, 0);
}
