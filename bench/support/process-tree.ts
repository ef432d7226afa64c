import { readdirSync, readFileSync } from 'node:fs';

// CPU and memory of a process and its descendants, read from /proc (Linux): a server that runs as several
// processes is measured as a whole, from outside, the way an operator's tools see it.
const CLOCK_TICKS_PER_S = 100; // USER_HZ, 100 on every Linux this runs on

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its closing one are plain.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // exited while we looked
  }
}

function tree(rootPid: number): ProcStat[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => readStat(Number(name)) ?? []);
  const members = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of all) {
      if (members.has(stat.pid) || !members.has(stat.ppid)) continue;
      members.add(stat.pid);
      grew = true;
    }
  }
  return all.filter((stat) => members.has(stat.pid));
}

/** User + system CPU time of the process tree so far, in ms (10 ms resolution). */
export function treeCpuMs(rootPid: number): number {
  return (tree(rootPid).reduce((sum, stat) => sum + stat.cpuTicks, 0) * 1000) / CLOCK_TICKS_PER_S;
}

/** Resident memory of the process tree now, in bytes. */
export function treeRssBytes(rootPid: number): number {
  return tree(rootPid).reduce((sum, { pid }) => {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return sum + Number(kb ?? 0) * 1024;
    } catch {
      return sum;
    }
  }, 0);
}
