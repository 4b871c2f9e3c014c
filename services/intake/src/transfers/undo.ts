import type { Logger } from '@interco/service';

/**
 * What a multi-step write did so far, to take back in reverse when a later step fails: best
 * effort, each undo logged when it fails (by name, never with a serial), none stopping the rest.
 */
export class Undo {
  readonly #steps: { name: string; run: () => Promise<unknown> }[] = [];

  push(name: string, run: () => Promise<unknown>): void {
    this.#steps.push({ name, run });
  }

  async run(logger: Logger, context: Record<string, unknown>): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ ...context, undo: step.name, err: error }, `undo failed: ${step.name}`);
      }
    }
  }
}
