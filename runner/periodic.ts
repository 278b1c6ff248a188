/**
 * A look taken every `intervalMs` by the runner's schedulers (canary checks, app-token rotation).
 * One look at a time: a slow Redis must not pile looks up; a failed look is logged and the next
 * one is taken on time. The timer never keeps the process alive.
 */
import type { Logger } from '../core/logger.ts';

export function everyInterval(intervalMs: number, look: () => Promise<unknown>, logger: Logger, failure: string): () => void {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= look()
      .catch((error: unknown) => logger.error({ error: (error as Error).message }, failure))
      .finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
