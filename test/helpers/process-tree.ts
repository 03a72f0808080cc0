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

/** What a process is, from its command line: DynamoDB Local, sls offline, or another node process. */
export function processLabel(pid: number): string {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return 'gone';
  }
  if (cmdline.includes('DynamoDBLocal')) return 'DynamoDB Local';
  if (/\bserverless\b|\bosls\b|sls offline/.test(cmdline)) return 'sls offline';
  if (cmdline.includes(' import ')) return 'sma import';
  if (cmdline.includes('bench/')) return 'the benchmark (live traffic)';
  if (cmdline.includes(' local')) return 'sma local (stream runner)';
  return 'other';
}

/**
 * CPU seconds used by the processes of some trees from now on, by label,
 * sampled every `everyMs`: a process that exits keeps what it had used at its
 * last sample.
 */
export function watchCpu(roots: () => number[], everyMs: number): { stop(): Record<string, number> } {
  const start = new Map<number, number>();
  const last = new Map<number, { ticks: number; label: string }>();
  let first = true;
  const sample = (): void => {
    for (const pid of roots().flatMap((r) => treePids(r))) {
      const s = stat(pid);
      if (!s) continue;
      // A process started since the watch began counts from its start.
      if (!start.has(pid)) start.set(pid, first ? s.cpuTicks : 0);
      last.set(pid, { ticks: s.cpuTicks, label: last.get(pid)?.label ?? processLabel(pid) });
    }
    first = false;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const out: Record<string, number> = {};
      for (const [pid, { ticks, label }] of last) out[label] = (out[label] ?? 0) + (ticks - (start.get(pid) ?? ticks)) / TICKS_PER_SECOND;
      return out;
    },
  };
}
