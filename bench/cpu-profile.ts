import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Share of the sampled CPU time spent in one source file, npm package or engine activity. */
export interface ProfileShare {
  readonly source: string;
  readonly share: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Names the source of a profile node: an npm package, a repository file, a Node.js module or the engine. */
function sourceOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (packageName) return packageName;
  if (url.startsWith("file://")) return relative(process.cwd(), fileURLToPath(url));
  if (url.startsWith("node:")) return "Node.js built-in modules";
  // Nodes without a script are the engine's: "(garbage collector)", "(program)", "(idle)", natives.
  return url === "" ? functionName || "(native)" : url;
}

/**
 * Runs `work` under V8's sampling CPU profiler and returns the largest shares of self time by
 * source. The profiler slows the work down, so time it separately.
 */
export async function profileSelfTime(work: () => Promise<void>, count: number): Promise<ProfileShare[]> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
    await work();
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    const sourceById = new Map(profile.nodes.map((node) => [node.id, sourceOf(node)]));
    const timeBySource = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      // The first delta runs from the profiler's start to the first sample, inside the inspector's
      // own call, so it is not the work's time.
      if (index === 0) return;
      const delta = profile.timeDeltas[index] ?? 0;
      const source = sourceById.get(id) ?? "(unknown)";
      timeBySource.set(source, (timeBySource.get(source) ?? 0) + delta);
      total += delta;
    });
    return [...timeBySource]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([source, time]) => ({ source, share: time / Math.max(total, 1) }));
  } finally {
    session.disconnect();
  }
}
