/**
 * Clean-up for scripts that use the test helpers outside tap (testEnvironment takes a
 * TestContext): steps run newest first, each one even if an earlier one failed, once.
 */
import type { TestContext } from './environment.js'

export class Cleanup implements TestContext {
  private readonly steps: Array<() => unknown> = []

  teardown (step: () => unknown): void { this.steps.push(step) }

  async run (): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try { await step() } catch (error) { console.error(`cleanup: ${(error as Error).message}`) }
    }
  }

  /**
   * On SIGINT/SIGTERM: `onSignal` (to stop what is running), the clean-up, then exit 130. A
   * second signal exits at once.
   */
  onSignals (onSignal: () => void = () => {}): void {
    let stopping = false
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130)
      stopping = true
      console.error(`\n${signal}: cleaning up (again to exit at once)`)
      onSignal()
      void this.run().finally(() => process.exit(130))
    }
    process.on('SIGINT', handler)
    process.on('SIGTERM', handler)
  }
}
