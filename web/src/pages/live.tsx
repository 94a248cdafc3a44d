/** Placeholder: filled in by its owner. */
export function LivePage () {
  return <p class="notice">live</p>
}
