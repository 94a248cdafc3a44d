/** Command-line option checks shared by the project's scripts. */

/** A whole number option within [min, max]; anything else exits with code 2, naming the option. */
export function wholeNumber (name: string, raw: string, min: number, max: number): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`)
    process.exit(2)
  }
  return value
}
