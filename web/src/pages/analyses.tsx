/** Placeholder: filled in by its owner. */
export function AnalysesPage () {
  return <p class="notice">analyses</p>
}
