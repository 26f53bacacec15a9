import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

/**
 * CPU time and memory of this process's `java` children (DynamoDB Local), read from Linux's /proc.
 * Elsewhere every function returns undefined, and the report leaves those figures out.
 */

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout);
    ticksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** Fields of /proc/PID/stat after the command name, which is in parentheses and may contain spaces. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const command = stat.slice(stat.indexOf("(") + 1, close);
    return [command, ...stat.slice(close + 2).split(" ")];
  } catch {
    return undefined;
  }
}

/** Process ids of the `java` processes this process started. */
export function javaChildren(): number[] | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(Number(name));
    // After the command: state, then the parent's process id.
    if (fields?.[0] === "java" && Number(fields[2]) === process.pid) children.push(Number(name));
  }
  return children;
}

/** User plus system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  // utime and stime are fields 14 and 15 of /proc/PID/stat, 12 and 13 after the command here.
  return (Number(fields[12]) + Number(fields[13])) / clockTicksPerSecond();
}

/** Resident set size of a process in bytes (VmRSS of /proc/PID/status). */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
