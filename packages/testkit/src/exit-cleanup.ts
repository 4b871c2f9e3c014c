import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

// Last-resort cleanup when the process exits without stopping what it started (a test that
// forgot `stop()`, a crash, `process.exit()`): no server outlives the test run, no folder stays.
const children = new Set<ChildProcess>();
const folders = new Set<string>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
    for (const folder of folders) {
      try {
        rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // Best effort: the process is exiting and nobody can report this anyway.
      }
    }
  });
}

/** SIGKILLs `child` when this process exits, unless the returned function was called first. */
export function killAtExit(child: ChildProcess): () => void {
  hookExit();
  children.add(child);
  return () => children.delete(child);
}

/** Deletes `folder` when this process exits, unless the returned function was called first. */
export function removeAtExit(folder: string): () => void {
  hookExit();
  folders.add(folder);
  return () => folders.delete(folder);
}
