import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A /proc look-alike under `root`: `self` and the given pids. */
export async function fakeProc(
  root: string,
  pids: Record<number, { startTicks: number; cmdline: string[]; state?: string }>,
): Promise<string> {
  const entries: Record<string, { startTicks: number; cmdline: string[]; state?: string }> = {
    ...pids,
    self: { startTicks: 1, cmdline: ['node'] },
  };
  for (const [pid, { startTicks, cmdline, state }] of Object.entries(entries)) {
    await mkdir(join(root, pid), { recursive: true });
    const fields = [
      state ?? 'S',
      ...Array.from({ length: 18 }, (_, i) => String(i)),
      String(startTicks),
      '0',
    ];
    await writeFile(join(root, pid, 'stat'), `${pid} (a (b) c) ${fields.join(' ')}\n`);
    await writeFile(join(root, pid, 'cmdline'), cmdline.map((arg) => `${arg}\0`).join(''));
  }
  return root;
}
