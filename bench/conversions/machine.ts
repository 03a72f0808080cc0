/**
 * How much of the machine other work took during a round: the CPU of every
 * process but the benchmark's own (this process and its DynamoDB Local),
 * and the hypervisor's steal, from /proc. On a 2-core machine a test suite
 * running beside the benchmark slows one step more than the next, and the
 * ratios then say more about the machine than about sma.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Kernel clock ticks a second (USER_HZ), which /proc reports CPU time in. */
const TICKS_PER_SECOND = 100;

/**
 * The most of the machine's CPU other work (and steal) may take before a
 * round is reported as disturbed: a quiet machine here shows 0 to 1%, a test
 * suite running beside the benchmark 15 to 75%.
 */
export const QUIET_SHARE = 0.05;

/** The machine's busy and stolen CPU seconds since boot, all cores (/proc/stat's first line); zeros where unknown. */
function machineSeconds(): { busy: number; steal: number } {
  try {
    const [user, nice, system, , , irq, softirq, steal] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = [user, nice, system, irq, softirq].reduce<number>((a, b) => a + (b ?? 0), 0);
    return { busy: busy / TICKS_PER_SECOND, steal: (steal ?? 0) / TICKS_PER_SECOND };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

/** A process's CPU seconds (user + system, /proc/<pid>/stat); 0 where unknown. */
function processSeconds(pid: number): number {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** What other work took of the machine, as shares of all its cores' time. */
export interface Disturbance {
  others: number;
  steal: number;
}

/** Starts watching; the function returned gives what other work took since, given the benchmark's own process ids. */
export function watchMachine(ownPids: readonly number[]): () => Disturbance {
  const own = (): number => ownPids.reduce((sum, pid) => sum + processSeconds(pid), 0);
  const start = { machine: machineSeconds(), own: own(), at: process.hrtime.bigint() };
  return () => {
    const machine = machineSeconds();
    const capacity = (availableParallelism() * Number(process.hrtime.bigint() - start.at)) / 1e9;
    const others = machine.busy - start.machine.busy - (own() - start.own);
    return { others: Math.max(0, others) / capacity, steal: (machine.steal - start.machine.steal) / capacity };
  };
}
