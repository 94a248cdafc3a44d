/** Placeholder: filled in by its owner. */
export function NewRecordingPage () {
  return <p class="notice">new-recording</p>
}
