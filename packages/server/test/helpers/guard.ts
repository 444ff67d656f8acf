/** An afterEach guard: a test that leaves a process running fails. */
import { afterEach, expect } from 'vitest';
import { stopAll } from './processes.js';

export function guardProcesses(): void {
  afterEach(async () => {
    const left = await stopAll();
    expect(left, 'processes left running by the test').toBe(0);
  });
}
